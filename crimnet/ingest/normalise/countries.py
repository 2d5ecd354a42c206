"""Country table for :func:`crimnet.ingest.normalise.normalise_nationality`.

pycountry is not a crimnet dependency (and its tables lack demonyms, which
agency extracts use: 'British', 'Romanian'), so a small table ships here: the
ISO 3166-1 alpha-3 code, alpha-2 code, then names, demonyms and common
aliases of about 70 countries most often seen in UK modern-slavery referrals
and agency records. Matching is on folded text (lower-case ASCII, punctuation
removed, whitespace collapsed).
"""

from __future__ import annotations

__all__ = ["COUNTRIES"]

# alpha-3, alpha-2, names / demonyms / aliases ('|'-separated)
_ROWS = """
GBR|GB|united kingdom|uk|great britain|britain|british|english|scottish|welsh|northern irish
GBR|GB|england|scotland|wales|northern ireland|united kingdom of great britain and northern ireland
IRL|IE|ireland|irish|republic of ireland|eire
FRA|FR|france|french
DEU|DE|germany|german
ITA|IT|italy|italian
ESP|ES|spain|spanish
PRT|PT|portugal|portuguese
NLD|NL|netherlands|dutch|holland|the netherlands
BEL|BE|belgium|belgian
AUT|AT|austria|austrian
CHE|CH|switzerland|swiss
SWE|SE|sweden|swedish
NOR|NO|norway|norwegian
DNK|DK|denmark|danish
FIN|FI|finland|finnish
GRC|GR|greece|greek
CYP|CY|cyprus|cypriot
MLT|MT|malta|maltese
POL|PL|poland|polish
ROU|RO|romania|romanian|roumania
BGR|BG|bulgaria|bulgarian
LTU|LT|lithuania|lithuanian
LVA|LV|latvia|latvian
EST|EE|estonia|estonian
SVK|SK|slovakia|slovak|slovakian|slovak republic
CZE|CZ|czechia|czech republic|czech
HUN|HU|hungary|hungarian
SVN|SI|slovenia|slovenian|slovene
HRV|HR|croatia|croatian
SRB|RS|serbia|serbian
ALB|AL|albania|albanian
XKX|XK|kosovo|kosovan|kosovar
MKD|MK|north macedonia|macedonia|macedonian
BIH|BA|bosnia and herzegovina|bosnia|bosnian
UKR|UA|ukraine|ukrainian
MDA|MD|moldova|moldovan|republic of moldova
RUS|RU|russia|russian|russian federation
BLR|BY|belarus|belarusian
GEO|GE|georgia|georgian
TUR|TR|turkey|turkiye|turkish
VNM|VN|vietnam|viet nam|vietnamese
CHN|CN|china|chinese|peoples republic of china
IND|IN|india|indian
PAK|PK|pakistan|pakistani
BGD|BD|bangladesh|bangladeshi
LKA|LK|sri lanka|sri lankan
NPL|NP|nepal|nepalese|nepali
AFG|AF|afghanistan|afghan
IRN|IR|iran|iranian|islamic republic of iran
IRQ|IQ|iraq|iraqi
SYR|SY|syria|syrian|syrian arab republic
KWT|KW|kuwait|kuwaiti
EGY|EG|egypt|egyptian
LBY|LY|libya|libyan
SDN|SD|sudan|sudanese
SSD|SS|south sudan|south sudanese
ERI|ER|eritrea|eritrean
ETH|ET|ethiopia|ethiopian
SOM|SO|somalia|somali|somalian
KEN|KE|kenya|kenyan
UGA|UG|uganda|ugandan
NGA|NG|nigeria|nigerian
GHA|GH|ghana|ghanaian
SLE|SL|sierra leone|sierra leonean
GMB|GM|gambia|the gambia|gambian
CMR|CM|cameroon|cameroonian
COD|CD|democratic republic of the congo|dr congo|drc|congolese
ZWE|ZW|zimbabwe|zimbabwean
ZAF|ZA|south africa|south african
MAR|MA|morocco|moroccan
DZA|DZ|algeria|algerian
PHL|PH|philippines|filipino|filipina|philippine
THA|TH|thailand|thai
MYS|MY|malaysia|malaysian
IDN|ID|indonesia|indonesian
BRA|BR|brazil|brazilian
COL|CO|colombia|colombian
JAM|JM|jamaica|jamaican
USA|US|united states|united states of america|usa|american|us
CAN|CA|canada|canadian
AUS|AU|australia|australian
"""

COUNTRIES: dict[str, str] = {}
"""Folded name, demonym, alias, alpha-2 or alpha-3 code -> ISO 3166-1 alpha-3 code."""

for _row in _ROWS.strip().splitlines():
    _a3, _a2, *_names = _row.split("|")
    for _key in (_a3.lower(), _a2.lower(), *_names):
        if _key in COUNTRIES and COUNTRIES[_key] != _a3:  # pragma: no cover - guards the table
            raise AssertionError(f"country alias {_key!r} is ambiguous")
        COUNTRIES[_key] = _a3
