"""Formulas on nbgrader's HTML feedback, rendered when the page is made: no network, no script.

``nbgrader generate_feedback`` exports each autograded notebook with nbconvert's ``HTMLExporter``
and nbgrader's ``feedback`` template, whose head loads MathJax from a CDN; offline (an exam room,
a firewalled hub, a page saved for later) the student reads raw LaTeX. ``MathMLHTMLExporter``
is that exporter with two changes, selected in ``nbgrader_config.py`` by
``c.GenerateFeedback.exporter_class``:

- every formula nbconvert's markdown parser finds in a markdown cell (``$...$``, ``$$...$$``,
  ``\\(...\\)``, ``\\[...\\]``, ``\\begin{env}...\\end{env}``) becomes MathML (latex2mathml, pinned),
  which browsers display natively;
- the MathJax loader and its configuration are removed from the page's head.

The exporter is chosen by class, not by template, so it holds however the feedback is made
(the command line, or the formgrader's button, which forces nbgrader's own template name).

Markdown cells of a submission are the student's text. The MathML is parsed and rebuilt from
an allow-list of MathML elements and attributes; a formula that fails to convert, or whose
MathML holds anything else (``\\text{<script>...}`` passes through latex2mathml as markup), is
shown as its escaped LaTeX in ``<code>`` instead.
"""
import html
import xml.etree.ElementTree as ElementTree

from bs4 import BeautifulSoup, Comment
from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

try:   # jinja2 >= 3.0
    from jinja2 import pass_context
except ImportError:   # pragma: no cover
    from jinja2 import contextfilter as pass_context

MATHML = "http://www.w3.org/1998/Math/MathML"
ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msup", "msub", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics",
    "annotation"})
ATTRIBUTES = frozenset({
    "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "stretchy", "fence",
    "separator", "symmetric", "largeop", "movablelimits", "accent", "accentunder", "form", "lspace",
    "rspace", "minsize", "maxsize", "width", "height", "depth", "linethickness", "columnalign",
    "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "framespacing",
    "notation", "encoding", "xmlns"})
# What the classic template's mathjax() macro puts in the head: the loader and its configuration.
MATHJAX_SCRIPT_TYPES = frozenset({"text/x-mathjax-config"})


class UnsafeMathML(ValueError):
    """latex2mathml's output held an element or attribute outside MathML's allow-list."""


def _checked(element):
    """Raise UnsafeMathML unless ``element`` and everything under it is allowed MathML."""
    namespace, _, tag = element.tag.rpartition("}")
    if namespace.lstrip("{") != MATHML or tag not in ELEMENTS:
        raise UnsafeMathML(element.tag)
    for name in element.attrib:
        if name.rpartition("}")[2] not in ATTRIBUTES:
            raise UnsafeMathML(name)
    for child in element:
        _checked(child)


def to_mathml(tex, display):
    """The MathML of one formula (``display``: a block of its own), or its escaped LaTeX in
    ``<code class="tex">`` when it cannot be converted to allowed MathML.

    Args:
        tex: the formula's LaTeX, without its delimiters.
        display: True for display math ($$...$$, \\[...\\], environments), False inline.
    """
    try:
        tree = ElementTree.fromstring(convert(tex, display="block" if display else "inline"))
        _checked(tree)
    except Exception:   # any failure of a student's formula shows its source, never breaks the page
        delimiter = "$$" if display else "$"
        return f'<code class="tex">{html.escape(delimiter + tex + delimiter)}</code>'
    for element in tree.iter():
        element.tag = element.tag.rpartition("}")[2]   # HTML's parser puts <math> in MathML's namespace
        # attributes in name order, as nbconvert's own pass over the page (BeautifulSoup) writes them
        attributes = sorted(element.attrib.items())
        element.attrib.clear()
        element.attrib.update(attributes)
    tree.set("xmlns", MATHML)
    return ElementTree.tostring(tree, encoding="unicode", short_empty_elements=False)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with formulas written as MathML instead of left for MathJax."""

    def block_math(self, body):
        return to_mathml(body, display=True)

    def inline_math(self, body):
        return to_mathml(body, display=False)

    def latex_environment(self, name, body):
        return to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


def without_mathjax(page):
    """``page`` (HTML text) without the MathJax loader and configuration in its head."""
    soup = BeautifulSoup(page, features="html.parser")
    head = soup.head
    if head is None:
        return page
    for script in head.find_all("script"):
        if "mathjax" in (script.get("src") or "").lower() or script.get("type") in MATHJAX_SCRIPT_TYPES:
            script.decompose()
    for comment in head.find_all(string=lambda text: isinstance(text, Comment) and "mathjax" in text.lower()):
        comment.extract()
    return str(soup)


class MathMLHTMLExporter(HTMLExporter):
    """``HTMLExporter`` whose pages show formulas as MathML and load no MathJax."""

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False, attachments=cell.get("attachments", {}), embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources, **kw)
        return without_mathjax(page), resources
