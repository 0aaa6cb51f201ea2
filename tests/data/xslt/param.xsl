<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="urn:thbx:thb-event:1.0">
  <xsl:param name="country"/>
  <xsl:template match="/korisnik">
    <record id="X-{dosije/@broj}"><reporting_country><xsl:value-of select="$country"/></reporting_country></record>
  </xsl:template>
</xsl:stylesheet>
