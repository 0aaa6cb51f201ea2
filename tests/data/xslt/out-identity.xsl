<?xml version="1.0"?>
<!-- applied to each XML output record: copies it and marks where it went -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:t="urn:thbx:thb-event:1.0">
  <xsl:param name="stamp"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="/t:record"><xsl:copy><xsl:attribute name="stamp"><xsl:value-of select="$stamp"/></xsl:attribute><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>
