<?xml version="1.0"?>
<xsl:stylesheet version="1.1" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="out"/>
  <xsl:template match="/">
    <xsl:document href="{$out}" method="text">stolen</xsl:document>
    <record/>
  </xsl:template>
</xsl:stylesheet>
