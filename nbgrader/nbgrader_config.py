"""nbgrader settings for the backprop course's Rust notebooks.

Use it from an nbgrader course folder by loading it in that folder's own config:

    c = get_config()
    load_subconfig("/path/to/backprop/nbgrader/nbgrader_config.py")

What it changes, and why:

* Answers are stubbed with a Rust `todo!()` (nbgrader only knows Python-like stubs).
* Notebooks run on the strict course kernel, `backprop-strict` (installed by
  `cargo run -p course -- setup`). On the default kernel a failed check panics, evcxr reports
  the cell as a success, and nbgrader would award the points.
* Cells may take long: the first `:dep` compiles the course library's dependencies.
* evcxr's execute replies for a failed cell carry no `ename`, `evalue` or `traceback`, and
  nbgrader's executor reads them; they are filled in from the cell's error output.
* nbgrader runs each submission inside autograded/<student>/<assignment>/, where the lessons'
  relative `:dep backprop = { path = "../crate" }` finds nothing; a preprocessor points that
  line at this checkout's crate (or at $BACKPROP_CRATE) just before execution.
"""
import json
import os

from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

CRATE = os.environ.get(
    "BACKPROP_CRATE",
    os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crate")),
)


class PointAtTheCourseCrate(NbGraderPreprocessor):
    """Rewrites the lessons' relative `:dep` path to the course crate's absolute path."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = cell.source.replace('path = "../crate"', "path = " + json.dumps(CRATE))
        return cell, resources


class ExecuteOnEvcxr(Execute):
    """nbgrader's executor, tolerant of evcxr's error replies (no ename/evalue/traceback)."""

    def on_cell_executed(self, **kwargs):
        content = kwargs["execute_reply"]["content"]
        if content.get("status") == "error":
            errors = [o for o in kwargs["cell"].outputs if o.output_type == "error"]
            first = errors[0] if errors else None
            content.setdefault("ename", first.ename if first else "Error")
            content.setdefault("evalue", first.evalue if first else "the cell failed")
            content.setdefault("traceback", list(first.traceback) if first else [])
        return super().on_cell_executed(**kwargs)


c.ClearSolutions.code_stub = {"rust": '// YOUR CODE HERE\ntodo!("not answered yet")'}
c.Execute.kernel_name = "backprop-strict"
c.Execute.timeout = 1800
c.Execute.interrupt_on_timeout = True
# nbgrader's own steps follow, with its executor swapped for the evcxr-tolerant one.
c.Autograde.autograde_preprocessors = [PointAtTheCourseCrate] + [
    ExecuteOnEvcxr if step is Execute else step
    for step in Autograde.class_traits()["autograde_preprocessors"].default()
]
