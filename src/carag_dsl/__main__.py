from carag_dsl.cli._main import entry_point

entry_point()
