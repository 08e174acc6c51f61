"""Form exports: the routing of a rule set in the forms inspectors fill in.

One generator per target, each a dialect of the same lowering of the checked
AST (:mod:`.expressions`): XLSForm (:mod:`.xlsform`, XPath for ODK Collect,
Enketo, KoboToolbox) and SurveyJS (:mod:`.surveyjs`). :mod:`.plan` decides
what a form holds, :mod:`.names` how fields are named, :mod:`.values` how case
data moves between carag and a form. docs/forms.md is the guide.
"""

from carag_dsl.tools.forms.expressions import EMPTY_SET_CHOICE, CannotExpress
from carag_dsl.tools.forms.plan import form_version
from carag_dsl.tools.forms.surveyjs import surveyjs_form, surveyjs_plan
from carag_dsl.tools.forms.values import from_surveyjs_data, from_xform_values, to_surveyjs_data, to_xform_values
from carag_dsl.tools.forms.xlsform import write_xlsform, xlsform_plan, xlsform_sheets

__all__ = [
    "EMPTY_SET_CHOICE", "CannotExpress", "form_version",
    "surveyjs_form", "surveyjs_plan", "write_xlsform", "xlsform_plan", "xlsform_sheets",
    "to_surveyjs_data", "from_surveyjs_data", "to_xform_values", "from_xform_values",
]
