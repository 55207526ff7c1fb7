"""nbgrader behaviour the course adjusts, loaded by ``nbgrader_config.py``.

``nbgrader autograde`` puts each locked test cell back as the instructor wrote it, hidden tests
included, by comparing the submitted cell's checksum with the gradebook's. The gradebook's
checksum is taken *before* the hidden tests are removed from the release (nbgrader issue
#1961), so every test cell with hidden tests, in every submission, even an untouched one, is
reported as changed ("Attribute 'checksum' for cell ... has changed!"). Those warnings drown
the one that matters: a student who did edit a locked cell.

``OverwriteCellsKeepingHiddenTests`` restores the hidden tests first when the submitted cell is
exactly the released one (the source without its hidden-test region), so only a real change
is reported; what is graded is the same either way.
"""
import copy

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells


def released_form(source):
    """The text of a cell as the release shows it: ``source`` without its hidden-test region."""
    cell = {"cell_type": "code", "source": source, "metadata": {}}
    from nbformat import from_dict
    node = from_dict(copy.deepcopy(cell))
    ClearHiddenTests()._remove_hidden_test_region(node)
    return node.source


class OverwriteCellsKeepingHiddenTests(OverwriteCells):
    """``OverwriteCells`` that is silent about a locked cell whose only difference from the
    instructor's is the hidden-test region nbgrader removed from the release itself."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and cell.cell_type == "code":
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None
            if (source_cell is not None and source_cell.locked and cell.source != source_cell.source
                    and cell.source.rstrip() == released_form(source_cell.source).rstrip()):
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)
