"""docutils: a generated 300-section reStructuredText document (paragraphs
with inline markup, lists, tables, literal blocks, references) parsed into
a doctree and rendered to HTML; both stay alive."""
from docutils.core import publish_doctree, publish_from_doctree

PREFIXES = ("docutils.",)
CLASS = "docutils.nodes.paragraph"


def source():
    out = ["=======\nCorpus\n=======\n"]
    for s in range(300):
        t = "Section %d" % s
        out.append("%s\n%s\n" % (t, "=" * len(t)))
        out.append("Some *emphasis*, **strong** and ``literal`` text in "
                   "section %d, see `Section %d`_ and http://example.org/%d.\n"
                   % (s, (s + 1) % 300, s))
        out.append("".join("- item %d of %d\n" % (i, s) for i in range(5)))
        out.append("\n+-----+-----+\n| a%d  | b   |\n+-----+-----+\n| c   | d   |\n"
                   "+-----+-----+\n" % (s % 10))
        out.append("\n::\n\n    code line %d\n    more code\n" % s)
    return "\n".join(out)


def main(checkpoint):
    tree = publish_doctree(source(), settings_overrides={"report_level": 5})
    html = publish_from_doctree(tree, writer_name="html")
    checkpoint()
    return {"html_bytes": len(html), "sections": 300}
