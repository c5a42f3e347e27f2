"""lxml: a 40000-element document parsed from text, every element's Python
proxy kept in a list (lxml creates proxies on demand and caches them in the
C tree), XPath results, and an XSLT-transformed copy."""
from lxml import etree

PREFIXES = ("lxml.",)
CLASS = "lxml.etree._Element"
# plugins/lxml shows each document's libxml2 tree as a virtual object that
# heapy has no counterpart for (doc/plugins.md)
HEAPY_DIFFS = {
    r"lxml\.etree\.xmlDoc": "the C tree behind a _Document (plugins/lxml)",
}

XSLT = b"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:template match="/"><names><xsl:for-each select="//item">
<n><xsl:value-of select="@name"/></n></xsl:for-each></names></xsl:template>
</xsl:stylesheet>"""


def main(checkpoint):
    parts = ["<catalog>"]
    for s in range(400):
        parts.append('<section id="s%d">' % s)
        for i in range(100):
            parts.append('<item name="it-%d-%d" price="%d"><note>n%d</note></item>'
                         % (s, i, i * 3, i))
        parts.append("</section>")
    parts.append("</catalog>")
    root = etree.fromstring("".join(parts).encode())
    proxies = list(root.iter())
    cheap = root.xpath("//item[@price < 30]/@name")
    tree = etree.ElementTree(root)
    out = etree.XSLT(etree.fromstring(XSLT))(tree)
    keep = [root, proxies, cheap, tree, out]
    checkpoint()
    del keep
    return {"elements": len(proxies)}
