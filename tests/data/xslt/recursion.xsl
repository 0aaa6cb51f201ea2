<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template name="down">
    <xsl:param name="n" select="0"/>
    <x><xsl:call-template name="down"><xsl:with-param name="n" select="$n + 1"/></xsl:call-template></x>
  </xsl:template>
  <xsl:template match="/"><record><xsl:call-template name="down"/></record></xsl:template>
</xsl:stylesheet>
