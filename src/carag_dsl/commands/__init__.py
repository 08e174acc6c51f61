"""One module per ``carag`` sub-command. Each defines ``register(subparsers)``,
which adds its parser and sets ``run`` (a function of the parsed arguments
returning the exit code)."""
