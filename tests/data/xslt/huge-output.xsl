<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings" extension-element-prefixes="str">
  <!-- 500 x 500 x 100 bytes: 25 MB of output from one small record -->
  <xsl:variable name="t" select="str:tokenize(str:padding(1000, 'a '))"/>
  <xsl:template match="/">
    <record>
      <xsl:for-each select="$t"><xsl:for-each select="$t"><xsl:value-of select="str:padding(100, 'x')"/></xsl:for-each></xsl:for-each>
    </record>
  </xsl:template>
</xsl:stylesheet>
