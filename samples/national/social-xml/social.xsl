<?xml version="1.0" encoding="UTF-8"?>
<!--
  The same mapping as social.map.csv, written as XSLT 1.0: one <korisnik> of
  the social-services export (the stylesheet sees that one record as its
  document) becomes one thb-event <record>. Codes are looked up in tables
  kept in this stylesheet; countries through the parameter-free alpha-3 table
  below (a stylesheet cannot use thbx's crosswalk CSV files).
  Run: thbx convert (option xslt) social.xsl export.xml -t json, see README.md
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="urn:thbx:thb-event:1.0"
    xmlns:c="urn:thbx:sample:codes"
    exclude-result-prefixes="c">
  <xsl:output method="xml" encoding="UTF-8" omit-xml-declaration="yes"/>
  <xsl:param name="body" select="'Centar za socijalni rad Novi Sad'"/>

  <c:table name="pol"><c:r s="1" t="male"/><c:r s="2" t="female"/><c:r s="9" t="unknown"/></c:table>
  <c:table name="status"><c:r s="Z" t="victim"/><c:r s="P" t="presumed_victim"/></c:table>
  <c:table name="oblik"><c:r s="S" t="sexual"/><c:r s="R" t="forced_labour"/><c:r s="B" t="forced_marriage"/><c:r s="P" t="begging"/><c:r s="K" t="forced_criminality"/></c:table>
  <c:table name="usluge"><c:r s="SMESTAJ" t="shelter"/><c:r s="MEDICINSKA" t="medical"/><c:r s="PSIHOLOSKA" t="psychological"/><c:r s="PRAVNA" t="legal_aid"/><c:r s="PREVODJENJE" t="interpretation"/><c:r s="MATERIJALNA" t="financial"/><c:r s="OBRAZOVANJE" t="education"/></c:table>
  <c:table name="zemlja"><c:r s="SRB" t="RS"/><c:r s="BIH" t="BA"/><c:r s="UKR" t="UA"/><c:r s="MKD" t="MK"/><c:r s="MNE" t="ME"/><c:r s="ALB" t="AL"/><c:r s="HRV" t="HR"/><c:r s="HUN" t="HU"/><c:r s="ROU" t="RO"/><c:r s="BGR" t="BG"/></c:table>

  <xsl:variable name="codes" select="document('')/*/c:table"/>

  <!-- the code of $s in table $t; an unknown code stays as it is, so that
       validation reports it instead of it being dropped -->
  <xsl:template name="code">
    <xsl:param name="t"/>
    <xsl:param name="s"/>
    <xsl:variable name="hit" select="$codes[@name = $t]/c:r[@s = $s]/@t"/>
    <xsl:choose>
      <xsl:when test="$hit"><xsl:value-of select="$hit"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="age">
    <xsl:param name="a"/>
    <xsl:choose>
      <xsl:when test="string(number($a)) = 'NaN'">unknown</xsl:when>
      <xsl:when test="$a &lt;= 8">0-8</xsl:when>
      <xsl:when test="$a &lt;= 17">9-17</xsl:when>
      <xsl:when test="$a &lt;= 20">18-20</xsl:when>
      <xsl:when test="$a &lt;= 23">21-23</xsl:when>
      <xsl:when test="$a &lt;= 26">24-26</xsl:when>
      <xsl:when test="$a &lt;= 29">27-29</xsl:when>
      <xsl:when test="$a &lt;= 38">30-38</xsl:when>
      <xsl:when test="$a &lt;= 47">39-47</xsl:when>
      <xsl:otherwise>48+</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/korisnik">
    <record id="RS-CSR-{dosije/@broj}">
      <schema_version>1.0</schema_version>
      <reporting_country>RS</reporting_country>
      <reporting_body><type>social_services</type><name><xsl:value-of select="$body"/></name></reporting_body>
      <event_type>assistance</event_type>
      <event_date><xsl:value-of select="dosije/@otvoren"/></event_date>
      <case_ref><xsl:value-of select="dosije/@broj"/></case_ref>
      <person>
        <person_ref><xsl:value-of select="@sifra"/></person_ref>
        <role><xsl:call-template name="code"><xsl:with-param name="t" select="'status'"/><xsl:with-param name="s" select="@status"/></xsl:call-template></role>
        <sex><xsl:call-template name="code"><xsl:with-param name="t" select="'pol'"/><xsl:with-param name="s" select="@pol"/></xsl:call-template></sex>
        <age_group><xsl:call-template name="age"><xsl:with-param name="a" select="starost"/></xsl:call-template></age_group>
        <citizenship>
          <xsl:for-each select="drzavljanstvo/zemlja">
            <country><xsl:call-template name="code"><xsl:with-param name="t" select="'zemlja'"/><xsl:with-param name="s" select="@kod"/></xsl:call-template></country>
          </xsl:for-each>
        </citizenship>
      </person>
      <exploitation>
        <forms>
          <xsl:for-each select="eksploatacija/oblik">
            <form><xsl:call-template name="code"><xsl:with-param name="t" select="'oblik'"/><xsl:with-param name="s" select="."/></xsl:call-template></form>
          </xsl:for-each>
        </forms>
      </exploitation>
      <assistance>
        <services>
          <xsl:for-each select="usluge/usluga">
            <service><xsl:call-template name="code"><xsl:with-param name="t" select="'usluge'"/><xsl:with-param name="s" select="@vrsta"/></xsl:call-template></service>
          </xsl:for-each>
        </services>
        <xsl:if test="usluge/@pocetak"><start_date><xsl:value-of select="usluge/@pocetak"/></start_date></xsl:if>
        <xsl:if test="usluge/@kraj"><end_date><xsl:value-of select="usluge/@kraj"/></end_date></xsl:if>
      </assistance>
    </record>
  </xsl:template>
</xsl:stylesheet>
