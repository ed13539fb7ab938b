"""Every country's ambulance number, same-day route and crisis line, each with its source.

REFERENCE.md §8.2: the patient's country picks every number, and every number carries a source.
One row per ISO 3166-1 alpha-2 code that tzdata's iso3166.tab knows. A source ending in ✓ was
checked against the text it names; one ending in (K) was not (REFERENCE.md §0), so check it
before release. docs/countries.md is rendered from this table (`python -m bot.gen_docs`).

`emergency` is what the patient dials for an ambulance, read after "Call"; `same_day` and
`crisis` are phrases read after "call". A country with no established ambulance number has
`emergency=None` and a note saying why, and its messages use §8.2's generic words instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHECKED = "✓"
UNCHECKED = "(K)"


@dataclass(frozen=True, slots=True)
class CountryNumbers:
    """What a patient in one country or territory calls, and where each number comes from."""

    code: str
    emergency: str | None
    emergency_source: str | None
    same_day: str | None = None
    same_day_source: str | None = None
    crisis: str | None = None
    crisis_source: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        # A number without a source (or a source without a number) is a data error; failing at
        # import keeps it out of every message rather than finding it in one.
        pairs = (
            ("emergency", self.emergency, self.emergency_source),
            ("same_day", self.same_day, self.same_day_source),
            ("crisis", self.crisis, self.crisis_source),
        )
        for name, value, source in pairs:
            if (value is None) != (source is None):
                raise ValueError(f"{self.code}: {name} and its source must come together")
            if source is not None:
                for part in source.split("; "):
                    if not part.endswith((CHECKED, UNCHECKED)):
                        raise ValueError(f"{self.code}: mark {part!r} with ✓ or (K)")
        if self.emergency is None and not self.note:
            raise ValueError(f"{self.code}: say in a note why there is no ambulance number")


# ---------------------------------------------------------------------------------------------
# Sources used by many rows
# ---------------------------------------------------------------------------------------------

_EU = "EU: Directive (EU) 2018/1972 Art. 109, 112 in every member state (K)"
_EEA = "EEA Agreement: Directive (EU) 2018/1972 Art. 109, 112 (K)"
_ROLE = "which service answers: Wikipedia, List of emergency telephone numbers (K)"
_FIRE = "fire and rescue service (sapeurs-pompiers), who answer medical calls (K)"
_REF = "REFERENCE.md §8.2 ✓"


def _listed(*numbers: str) -> str:
    """A citation saying libphonenumber's short-number data lists these as emergency numbers."""
    return f"libphonenumber ShortNumberMetadata.xml lists {', '.join(numbers)} as emergency ✓"


def _src(*parts: str) -> str:
    """One source string from several citations."""
    return "; ".join(parts)


_SAMARITANS = "Samaritans on 116 123"
_SAMARITANS_SRC = _src("Samaritans: 116 123, free, 24 hours (K)", _REF)
_US_988 = "the 988 Suicide & Crisis Lifeline (call or text 988)"
_FR_3114 = "the national suicide prevention line on 3114"
_FR_3114_SRC = (
    "Ministère de la Santé: 3114, 24/7, from metropolitan and overseas France "
    "(mayotte.ars.sante.fr, 3114.fr) ✓"
)
_FR_EMERGENCY_SRC = _src(
    "Service-Public.fr: 15 SAMU, 112 European emergency number (quoted by montpellier-infos.fr) ✓",
    _EU,
)

_UNINHABITED = "No permanent population and no public emergency service."


def _r(
    code: str,
    emergency: str | None,
    emergency_source: str | None,
    same_day: tuple[str, str] | None = None,
    crisis: tuple[str, str] | None = None,
    note: str | None = None,
) -> CountryNumbers:
    """One row; same_day and crisis are (phrase, source) pairs."""
    return CountryNumbers(
        code=code,
        emergency=emergency,
        emergency_source=emergency_source,
        same_day=same_day[0] if same_day else None,
        same_day_source=same_day[1] if same_day else None,
        crisis=crisis[0] if crisis else None,
        crisis_source=crisis[1] if crisis else None,
        note=note,
    )


# Where one number answers every emergency, libphonenumber's listing is enough; where a
# country has several, the row also cites which one sends an ambulance (mostly (K)).
ROWS: tuple[CountryNumbers, ...] = (
    _r("AD", "112", _src(_listed("112", "116"), _ROLE)),
    _r("AE", "998", _src(_listed("998", "999"), _ROLE)),
    _r("AF", "102", _src(_listed("102"), _ROLE)),
    _r("AG", "911", _listed("911", "999")),
    _r("AI", "911", _listed("911")),
    _r("AL", "127", _src(_listed("127", "112"), _ROLE)),
    _r("AM", "103", _src(_listed("103"), _ROLE)),
    _r("AO", "112", _src(_listed("112"), _ROLE)),
    _r(
        "AQ",
        None,
        None,
        note="No public emergency service: research stations have their own medical staff.",
    ),
    _r("AR", "107", _src(_listed("107"), "SAME 107 medical emergencies (K)")),
    _r("AS", "911", _listed("911")),
    _r(
        "AT",
        "144 or 112",
        _src(_listed("144", "112"), _EU),
        same_day=("the health line 1450", "Gesundheitsberatung 1450, 24 hours (K)"),
        crisis=("TelefonSeelsorge on 142", "TelefonSeelsorge Österreich: 142, 24 hours (K)"),
    ),
    _r(
        "AU",
        "000",
        _src("Australian Government: Triple Zero (000) (K)", _REF, _listed("000")),
        same_day=(
            "healthdirect on 1800 022 222 (in Queensland 13 HEALTH on 13 43 25 84, "
            "in Victoria NURSE-ON-CALL on 1300 60 60 24)",
            _src(
                "Ambulance Victoria: healthdirect 1800 022 222, NURSE-ON-CALL 1300 60 60 24 in "
                "Victoria, 13HEALTH in Queensland (ambulance.vic.gov.au) ✓",
                "Queensland Government: 13 HEALTH 13 43 25 84, 24/7 (qld.gov.au) ✓",
            ),
        ),
        crisis=("Lifeline on 13 11 14", _src("Lifeline Australia: 13 11 14 (K)", _REF)),
    ),
    _r("AW", "911", _listed("911")),
    _r("AX", "112", _src(_listed("112"), _EU)),
    _r("AZ", "103", _src(_listed("103", "112"), _ROLE)),
    _r("BA", "124", _src(_listed("124"), _ROLE)),
    _r("BB", "511", _src(_listed("511", "911"), _ROLE)),
    _r("BD", "999", _src(_listed("999"), "National Emergency Service 999 (K)")),
    _r(
        "BE",
        "112",
        _src(_listed("112"), _EU),
        crisis=(
            "the suicide line on 1813 (in Dutch) or the Centre de Prévention du Suicide on "
            "0800 32 123 (in French)",
            _src(
                "Zelfmoordlijn 1813: 1813, 24/7 (K)",
                "Centre de Prévention du Suicide: 0800 32 123, 24/7 (K)",
            ),
        ),
    ),
    _r("BF", "18", _src(_listed("18"), _FIRE)),
    _r("BG", "112", _src(_listed("112"), _EU)),
    _r("BH", "999", _listed("999")),
    _r(
        "BI",
        "112",
        _src(_listed("112", "113", "117"), _ROLE),
        note="Which listed number sends an ambulance is not established; 112 is documented.",
    ),
    _r("BJ", "112", _src(_listed("112"), _ROLE)),
    _r("BL", "18", _src(_listed("18"), _FIRE)),
    _r("BM", "911", _listed("911")),
    _r("BN", "991", _src(_listed("991"), _ROLE)),
    _r("BO", "118", _src(_listed("118"), _ROLE)),
    _r("BQ", "911", _listed("911", "112")),
    _r(
        "BR",
        "192",
        _src(
            "Ministério da Saúde: SAMU 192, free from any phone nationwide "
            "(vivaosus.com/samu-192, agenciabrasil.ebc.com.br) ✓",
            _REF,
            _listed("192"),
        ),
        crisis=("CVV on 188", "Centro de Valorização da Vida: 188, free, 24 hours (K)"),
    ),
    _r("BS", "911 or 919", _listed("911", "919")),
    _r("BT", "112", _src(_listed("112"), _ROLE)),
    _r("BV", None, None, note="Uninhabited."),
    _r("BW", "997", _src(_listed("997"), _ROLE)),
    _r("BY", "103", _src(_listed("103"), _ROLE)),
    _r("BZ", "911", _listed("911", "90")),
    _r(
        "CA",
        "911",
        _src("CRTC: 9-1-1 (K)", _REF, _listed("911")),
        same_day=(
            "your province's health line on 811",
            "Provincial health lines on 811 (Health811, Info-Santé 811, HealthLink BC 811), "
            "not every territory (K)",
        ),
        crisis=(
            "the 9-8-8 Suicide Crisis Helpline (call or text 988)",
            _src(
                "Government of Canada: 9-8-8 Suicide Crisis Helpline, call or text, 24/7, "
                "since 2023-11-30 (newswire.ca) ✓",
                _REF,
            ),
        ),
    ),
    _r("CC", "000", _listed("000")),
    _r(
        "CD",
        None,
        None,
        note="No national ambulance number could be established: libphonenumber lists 113, "
        "114, 118, 177 and 188 without saying which is medical, and 112 is not documented.",
    ),
    _r(
        "CF",
        None,
        None,
        note="No national ambulance number could be established: libphonenumber lists 117, "
        "118 and 1220 only, and 112 is not documented.",
    ),
    _r(
        "CG",
        None,
        None,
        note="No national ambulance number could be established: libphonenumber lists 117 "
        "and 118 only, and 112 is not documented.",
    ),
    _r(
        "CH",
        "144",
        _src(_listed("144", "112"), _ROLE),
        crisis=(
            "Die Dargebotene Hand (La Main Tendue) on 143",
            "Die Dargebotene Hand: 143, 24 hours (K)",
        ),
    ),
    _r(
        "CI",
        "185 or 180",
        _src("SAMU Côte d'Ivoire: 185 (K)", _listed("180"), _FIRE),
        note="libphonenumber does not list the SAMU's 185; 180 is the fire brigade (GSPM).",
    ),
    _r("CK", "998", _src(_listed("998"), _ROLE)),
    _r("CL", "131", _src(_listed("131"), "SAMU 131 (K)")),
    _r(
        "CM",
        "119",
        "SAMU 119, as told by the police line 117 (actucameroun.com, 2016) (K)",
        note="libphonenumber does not list 119; the SAMU line has been reported out of service.",
    ),
    _r(
        "CN",
        "120",
        _src(
            "Beijing Municipal Health Commission: dial 120 (wjw.beijing.gov.cn) ✓",
            _REF,
            _listed("120"),
        ),
    ),
    _r("CO", "123", _src(_listed("123"), "Línea 123, national emergency line (K)")),
    _r("CR", "911", _listed("911")),
    _r("CU", "104", _src(_listed("104"), _ROLE)),
    _r("CV", "130", _src(_listed("130"), _ROLE)),
    _r("CW", "911", _listed("911", "112")),
    _r("CX", "000", _listed("000")),
    _r("CY", "112", _src(_listed("112", "199"), _EU)),
    _r("CZ", "155 or 112", _src(_listed("155", "112"), _EU)),
    _r(
        "DE",
        "112",
        _src(_EU, _REF, _listed("112")),
        same_day=(
            "the on-call doctor service on 116117",
            _src("KBV: ärztlicher Bereitschaftsdienst 116117 (K)", _REF),
        ),
        crisis=(
            "TelefonSeelsorge on 0800 111 0 111, 0800 111 0 222 or 116 123",
            "TelefonSeelsorge: 0800 1110111, 0800 1110222 and 116123, free, 24 hours "
            "(ansbach-evangelisch.de, domradio.de) ✓",
        ),
    ),
    _r("DJ", "18", _src(_listed("18"), _FIRE)),
    _r("DK", "112", _src(_listed("112"), _EU)),
    _r("DM", "999", _listed("999", "911")),
    _r("DO", "911", _listed("911")),
    _r("DZ", "14", _src(_listed("14"), "Protection civile 14 (K)")),
    _r("EC", "911", _listed("911")),
    _r(
        "EE",
        "112",
        _src(_listed("112"), _EU),
        same_day=(
            "the family doctor advice line on 1220",
            "Perearsti nõuandeliin 1220, 24 hours (K)",
        ),
    ),
    _r("EG", "123", _src(_listed("123"), _ROLE)),
    _r(
        "EH",
        "15",
        _src(_listed("15"), "Moroccan Protection civile 15 (K)"),
        note="Moroccan numbers, which libphonenumber lists for EH; areas outside Moroccan "
        "administration may have none.",
    ),
    _r("ER", "114", _src(_listed("114"), _ROLE)),
    _r(
        "ES",
        "112",
        _src(_listed("112"), _EU),
        crisis=(
            "the suicide crisis line on 024",
            "Ministerio de Sanidad: línea 024, free, 24 hours, since 2022-05-10 (rtve.es) ✓",
        ),
    ),
    _r(
        "ET",
        "907 or 939",
        _src("Ethiopian Red Cross ambulance 907 (K)", _listed("939"), _ROLE),
        note="Neither number could be checked; 907 is the Red Cross ambulance, 939 fire and "
        "emergency.",
    ),
    _r(
        "FI",
        "112",
        _src(_listed("112"), _EU),
        same_day=("the medical helpline on 116117", "Päivystysapu 116117 (K)"),
        crisis=(
            "the MIELI Crisis Helpline on 09 2525 0111",
            "MIELI Mental Health Finland: 09 2525 0111, 24 hours (K)",
        ),
    ),
    _r("FJ", "911", _listed("911")),
    _r("FK", "999", _listed("999")),
    _r("FM", "911", _listed("911")),
    _r("FO", "112", _listed("112")),
    _r(
        "FR",
        "15 or 112",
        _src(_FR_EMERGENCY_SRC, _listed("15", "112")),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r("GA", "18", _src(_listed("18"), _FIRE)),
    _r(
        "GB",
        "999",
        _src("NHS: call 999 in an emergency (K)", _REF, _listed("999", "112")),
        same_day=(
            "NHS 111 (dial 111)",
            _src("NHS: 111 in England, NHS 24 111 in Scotland, NHS 111 Wales (K)", _REF),
        ),
        crisis=(_SAMARITANS, _SAMARITANS_SRC),
    ),
    _r("GD", "911", _listed("911")),
    _r("GE", "112", _listed("112")),
    _r(
        "GF",
        "15 or 112",
        _src(_listed("15"), _EU),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r("GG", "999", _listed("999", "112"), crisis=(_SAMARITANS, "Samaritans: 116 123 (K)")),
    _r(
        "GH",
        "112",
        "Government of Ghana: 112 for police, fire and ambulance on all networks "
        "(graphic.com.gh, 2020-01-28) ✓",
        note="libphonenumber still lists the older 191-193 and 999, not 112.",
    ),
    _r("GI", "190 or 112", _src(_listed("190", "112"), _ROLE)),
    _r("GL", "112", _listed("112")),
    _r("GM", "116", _src(_listed("116"), _ROLE)),
    _r(
        "GN",
        None,
        None,
        note="No ambulance number could be established: libphonenumber lists no emergency "
        "number for Guinea and 112 is not documented.",
    ),
    _r(
        "GP",
        "15 or 112",
        _src(_listed("15"), _EU),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r(
        "GQ",
        None,
        None,
        note="No ambulance number could be established: libphonenumber has no short-number "
        "data for Equatorial Guinea and 112 is not documented.",
    ),
    _r(
        "GR",
        "166 or 112",
        _src(_listed("166", "112"), _EU),
        crisis=(
            "the Klimaka suicide line on 1018",
            "Klimaka: 1018, 24 hours (K)",
        ),
    ),
    _r("GS", None, None, note=_UNINHABITED),
    _r("GT", "123", _src(_listed("123"), "Bomberos Municipales 123 (K)")),
    _r("GU", "911", _listed("911")),
    _r(
        "GW",
        None,
        None,
        note="No ambulance number could be established: libphonenumber lists 113, 117 and 118 "
        "without roles, and 112 is not documented.",
    ),
    _r("GY", "913", _src(_listed("913"), _ROLE)),
    _r(
        "HK",
        "999",
        _listed("999", "112"),
        crisis=(
            "The Samaritans on 2896 0000",
            "The Samaritans Hong Kong: 2896 0000, 24 hours (K)",
        ),
    ),
    _r("HM", None, None, note="Uninhabited."),
    _r(
        "HN",
        "911",
        "Sistema Nacional de Emergencias: 911 for medical, fire and police emergencies "
        "nationwide (elheraldo.hn, 2026-02-26) ✓",
        note="libphonenumber lists only the older 199.",
    ),
    _r("HR", "194 or 112", _src(_listed("194", "112"), _EU)),
    _r("HT", "118", _src(_listed("118"), "Croix-Rouge 118 (K)")),
    _r(
        "HU",
        "104 or 112",
        _src(_listed("104", "112"), _EU),
        crisis=("Lelki Elsősegély on 116 123", "Lelki Elsősegély Telefonszolgálat: 116 123 (K)"),
    ),
    _r("ID", "119 or 112", _src(_listed("119", "112"), "PSC 119 (Ministry of Health) (K)")),
    _r(
        "IE",
        "112 or 999",
        _src(_EU, _listed("112", "999")),
        crisis=(_SAMARITANS, _SAMARITANS_SRC),
    ),
    _r(
        "IL",
        "101",
        _src(_listed("101"), "Magen David Adom 101 (K)"),
        crisis=("ERAN on 1201", "ERAN emotional first aid: 1201, 24 hours (K)"),
    ),
    _r("IM", "999", _listed("999"), crisis=(_SAMARITANS, "Samaritans: 116 123 (K)")),
    _r(
        "IN",
        "112 or 108",
        _src(
            "Ministry of Home Affairs: ERSS, one emergency number 112 (erss.gov.in) ✓",
            "108 health helpline integrated into 112 (ndtv.com, 2019-02-15) ✓",
            _REF,
            _listed("112", "108"),
        ),
        crisis=("Tele-MANAS on 14416", "Ministry of Health: Tele-MANAS 14416, 24/7 (K)"),
    ),
    _r(
        "IO",
        None,
        None,
        note="Military territory with no public emergency number in libphonenumber.",
    ),
    _r("IQ", "122", _src(_listed("122"), _ROLE)),
    _r("IR", "115", _src(_listed("115"), _ROLE)),
    _r(
        "IS",
        "112",
        _src(_listed("112"), _EEA),
        same_day=("the health line on 1700", "Heilsugæslan: 1700 (K)"),
        crisis=("the Red Cross helpline on 1717", "Icelandic Red Cross: 1717, 24 hours (K)"),
    ),
    _r("IT", "118 or 112", _src(_listed("118", "112"), _EU)),
    _r("JE", "999", _listed("999", "112"), crisis=(_SAMARITANS, "Samaritans: 116 123 (K)")),
    _r("JM", "110", _src(_listed("110"), _ROLE)),
    _r("JO", "911", _listed("911")),
    _r(
        "JP",
        "119",
        _src(
            "Fire and Disaster Management Agency: 119 for fire and ambulance "
            "(city.odate.lg.jp, ucia.or.jp) ✓",
            _REF,
            _listed("119"),
        ),
        note="No national same-day line: #7119 exists only in some prefectures.",
    ),
    _r("KE", "999 or 112", _listed("999", "112")),
    _r("KG", "103", _src(_listed("103"), _ROLE)),
    _r("KH", "119", _src(_listed("119"), _ROLE)),
    _r("KI", "994", _src(_listed("994"), _ROLE)),
    _r("KM", "18", _src(_listed("18"), _FIRE)),
    _r("KN", "911", _listed("911")),
    _r(
        "KP",
        "112",
        _src(_listed("112", "119"), _ROLE),
        note="Which listed number sends an ambulance is not established; 112 is documented.",
    ),
    _r(
        "KR",
        "119",
        _listed("119"),
        crisis=("the suicide prevention line on 109", "Ministry of Health and Welfare: 109 (K)"),
    ),
    _r("KW", "112", _listed("112")),
    _r("KY", "911", _listed("911")),
    _r("KZ", "103 or 112", _src(_listed("103", "112"), _ROLE)),
    _r("LA", "195", _src(_listed("195"), _ROLE)),
    _r("LB", "140", _src(_listed("140"), "Lebanese Red Cross 140 (K)")),
    _r("LC", "911", _listed("911")),
    _r("LI", "144 or 112", _src(_listed("144", "112"), _EEA)),
    _r(
        "LK",
        "1990",
        "1990 Suwa Seriya free ambulance service, island-wide (ft.lk 2018-01-04, island.lk) ✓",
        note="libphonenumber does not list 1990.",
    ),
    _r("LR", "911", _listed("911")),
    _r(
        "LS",
        "112",
        _src(_listed("112", "115", "117"), _ROLE),
        note="Which listed number sends an ambulance is not established; 112 is documented.",
    ),
    _r("LT", "112", _src(_listed("112"), _EU)),
    _r("LU", "112", _src(_listed("112"), _EU)),
    _r("LV", "113 or 112", _src(_listed("113", "112"), _EU)),
    _r("LY", "193", _src(_listed("193"), _ROLE)),
    _r("MA", "15", _src(_listed("15"), "Protection civile 15 (K)")),
    _r("MC", "18 or 112", _src(_listed("18", "112"), _FIRE)),
    _r("MD", "112", _listed("112")),
    _r("ME", "124 or 112", _src(_listed("124", "112"), _ROLE)),
    _r("MF", "15 or 112", _src(_listed("15"), _EU)),
    _r(
        "MG",
        None,
        None,
        note="No ambulance number could be established: libphonenumber lists 17, 18, 117 and "
        "118 without roles, and 112 is not documented.",
    ),
    _r("MH", "911", _listed("911")),
    _r("MK", "194 or 112", _src(_listed("194", "112"), _ROLE)),
    _r("ML", "15", _src(_listed("15"), _ROLE)),
    _r(
        "MM",
        "192 or 199",
        _src(
            "Ministry of Health: emergency line 192, started 2013 (myanmarjapon.com) ✓",
            _listed("199"),
        ),
        note="192 began in Nay Pyi Taw, Yangon, Mandalay and along the highway; 199 is the "
        "general emergency number.",
    ),
    _r("MN", "103", _src(_listed("103"), _ROLE)),
    _r("MO", "999", _listed("999")),
    _r("MP", "911", _listed("911")),
    _r(
        "MQ",
        "15 or 112",
        _src(_listed("15", "112"), _EU),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r("MR", "18", _src(_listed("18"), _FIRE)),
    _r("MS", "911", _listed("911", "999")),
    _r("MT", "112", _src(_listed("112"), _EU)),
    _r("MU", "114", _src(_listed("114"), "SAMU 114 (K)")),
    _r("MV", "102", _src(_listed("102"), _ROLE)),
    _r("MW", "998", _src(_listed("998"), _ROLE)),
    _r(
        "MX",
        "911",
        _src(
            "SESNSP: 911 national emergency number from 2016-10, ambulances included "
            "(capitalmexico.com.mx, etcetera.com.mx) ✓",
            _listed("911"),
        ),
        crisis=(
            "Línea de la Vida on 800 911 2000",
            "CONASAMA: Línea de la Vida 800 911 2000, 24 hours (K)",
        ),
    ),
    _r(
        "MY",
        "999",
        _listed("999", "112"),
        crisis=(
            "Befrienders Kuala Lumpur on 03-7627 2929",
            "Befrienders KL: 03-7627 2929, 24 hours (K)",
        ),
    ),
    _r("MZ", "117", _src(_listed("117"), _ROLE)),
    _r(
        "NA",
        "10111",
        _src(_listed("10111"), "Namibian Police national emergency number (K)"),
        note="The police number; no national ambulance number could be established.",
    ),
    _r("NC", "15", _src(_listed("15"), "SAMU 15 (K)")),
    _r("NE", "15", _src(_listed("15"), _ROLE)),
    _r(
        "NF",
        "000",
        "Norfolk Island: triple zero (000) for ambulance, police and fire "
        "(norfolkonlinenews.com, 2022-06-08) ✓",
        note="libphonenumber lists older local numbers; 000 was reported out of service for "
        "weeks in 2025.",
    ),
    _r(
        "NG",
        "112",
        "NEMSAS (Federal Ministry of Health): emergency toll-free 112 for ambulance services "
        "(thereportersonline.ng, 2024-10-04) ✓",
        note="The ambulance scheme reached 16 of 36 states by 2024; libphonenumber lists only "
        "199.",
    ),
    _r("NI", "128", _src(_listed("128"), "Cruz Roja 128 (K)")),
    _r(
        "NL",
        "112",
        _src(_listed("112"), _EU),
        crisis=(
            "113 Suicide Prevention on 113 or 0800 0113",
            "113 Zelfmoordpreventie: 113 or 0800-0113, free, 24/7 (nu.nl 2020-07, "
            "upday.com 2025-10-03) ✓",
        ),
    ),
    _r(
        "NO",
        "113",
        _src(_listed("113", "112"), _ROLE),
        same_day=(
            "the out-of-hours doctor (legevakt) on 116117",
            "Helsenorge: legevakt 116117 (K)",
        ),
        crisis=("Mental Helse on 116 123", "Mental Helse hjelpetelefonen: 116 123, 24 hours (K)"),
    ),
    _r("NP", "102", _src(_listed("102"), _ROLE)),
    _r("NR", "111 or 112", _src(_listed("111", "112"), _ROLE)),
    _r("NU", "999", _listed("999")),
    _r(
        "NZ",
        "111",
        _src("New Zealand Police: 111 (K)", _REF, _listed("111")),
        same_day=("Healthline on 0800 611 116", "Health New Zealand: Healthline 0800 611 116 (K)"),
        crisis=("1737 (call or text)", _src("Need to talk? 1737, free, 24/7 (K)", _REF)),
    ),
    _r("OM", "9999", _listed("9999")),
    _r("PA", "911", _listed("911")),
    _r(
        "PE",
        "106 or 116",
        _src(
            "Minsa: SAMU Línea 106, free, 24 hours (andina.pe, elcomercio.pe 2025-12-21) ✓",
            _listed("116"),
            "Bomberos 116 (K)",
        ),
        note="SAMU 106 serves Lima Metropolitana; elsewhere the fire brigade's 116.",
    ),
    _r("PF", "15", _src(_listed("15"), "SAMU 15 (K)")),
    _r("PG", "111", _src(_listed("111"), "St John Ambulance PNG 111 (K)")),
    _r(
        "PH",
        "911",
        _listed("911", "112"),
        crisis=("the NCMH crisis hotline on 1553", "National Center for Mental Health: 1553 (K)"),
    ),
    _r("PK", "1122 or 115", _src(_listed("1122", "115"), "Rescue 1122 and Edhi 115 (K)")),
    _r(
        "PL",
        "999 or 112",
        _src(_listed("999", "112"), _EU),
        crisis=(
            "the 24-hour support line on 800 70 2222",
            "Centrum Wsparcia: 800 70 2222, 24 hours (K)",
        ),
    ),
    _r("PM", "15", _src(_listed("15"), _ROLE)),
    _r("PN", None, None, note="About 40 residents and no public emergency number."),
    _r("PR", "911", _listed("911"), crisis=(_US_988, "SAMHSA: 988 in US territories (K)")),
    _r("PS", "101", _src(_listed("101"), "Palestine Red Crescent 101 (K)")),
    _r(
        "PT",
        "112",
        _src(_listed("112"), _EU),
        same_day=("SNS 24 on 808 24 24 24", "SNS 24: 808 24 24 24, 24 hours (K)"),
    ),
    _r("PW", "911", _listed("911")),
    _r("PY", "911", _listed("911")),
    _r("QA", "999", _listed("999")),
    _r(
        "RE",
        "15 or 112",
        _src(_listed("15", "112"), _EU),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r("RO", "112", _src(_listed("112"), _EU)),
    _r("RS", "194 or 112", _src(_listed("112"), "Serbian ambulance 194 (K)")),
    _r(
        "RU",
        "103 or 112",
        _src(
            "Ministry of Health of Tatarstan: 103 from mobiles, 112 the united number "
            "(minzdrav.tatarstan.ru) ✓",
            _listed("103", "112"),
        ),
    ),
    _r(
        "RW",
        "912 or 112",
        _src("SAMU Rwanda 912 (K)", _listed("112")),
        note="libphonenumber does not list the SAMU's 912.",
    ),
    _r("SA", "997 or 911", _src(_listed("997", "911"), _ROLE)),
    _r("SB", "999", _listed("999")),
    _r("SC", "999", _listed("999")),
    _r("SD", "999", _listed("999")),
    _r(
        "SE",
        "112",
        _src(_listed("112"), _EU),
        same_day=("the healthcare advice line 1177", "1177 Vårdguiden (K)"),
        crisis=("Mind's suicide line on 90101", "Mind Självmordslinjen: 90101 (K)"),
    ),
    _r(
        "SG",
        "995",
        _src(_listed("995"), "SCDF 995 (K)"),
        crisis=("Samaritans of Singapore on 1767", "Samaritans of Singapore: 1767, 24 hours (K)"),
    ),
    _r("SH", "911 or 999", _listed("911", "999")),
    _r("SI", "112", _src(_listed("112"), _EU)),
    _r("SJ", "113", _src(_listed("113"), "Norwegian numbers (K)")),
    _r("SK", "155 or 112", _src(_listed("155", "112"), _EU)),
    _r(
        "SL",
        "117 or 999",
        _src("National Emergency Medical Service 117 (K)", _listed("999")),
        note="libphonenumber does not list 117; 999 is the older general number.",
    ),
    _r("SM", "118", _src(_listed("118"), _ROLE)),
    _r(
        "SN",
        "1515 or 18",
        _src("SAMU national 1515 (K)", _listed("18"), _FIRE),
        note="libphonenumber does not list the SAMU's 1515.",
    ),
    _r(
        "SO",
        None,
        None,
        note="No ambulance number could be established: libphonenumber lists 555, 888 and 999 "
        "without roles, and 112 is not documented.",
    ),
    _r("SR", "115", _listed("115")),
    _r("SS", "999", _src(_listed("999"), _ROLE)),
    _r("ST", "112", _listed("112")),
    _r("SV", "911", _listed("911")),
    _r(
        "SX",
        "911 or 919",
        _src(
            "Sint Maarten Police Force: call 911 in emergencies (721news.com, 2020-03-20) ✓",
            "Fire and Ambulance Department alarm centre 919 (sxm-talks.com) ✓",
            _listed("919"),
        ),
    ),
    _r("SY", "110", _src(_listed("110"), _ROLE)),
    _r(
        "SZ",
        "977 or 999",
        _src("Emergency Medical Services 977 (K)", _listed("999")),
        note="libphonenumber lists only 999.",
    ),
    _r("TC", "911", _listed("911")),
    _r("TD", "18", _src(_listed("18"), _FIRE)),
    _r("TF", None, None, note=_UNINHABITED),
    _r("TG", "118", _src(_listed("118"), _FIRE)),
    _r(
        "TH",
        "1669",
        _src(_listed("1669"), "National Institute for Emergency Medicine 1669 (K)"),
        crisis=(
            "the mental health hotline on 1323",
            "Department of Mental Health: 1323, 24 hours (K)",
        ),
    ),
    _r("TJ", "103", _src(_listed("103"), _ROLE)),
    _r("TK", None, None, note="No emergency number is documented for Tokelau."),
    _r(
        "TL",
        "112",
        _src(_listed("112", "115"), _ROLE),
        note="Which listed number sends an ambulance is not established; 112 is documented.",
    ),
    _r("TM", "03", _src(_listed("03"), _ROLE)),
    _r("TN", "190", _src(_listed("190"), "SAMU 190 (K)")),
    _r("TO", "911", _src(_listed("911"), _ROLE)),
    _r("TR", "112", _listed("112")),
    _r(
        "TT",
        "811",
        "Emergency Health Services: 811 for medical emergencies (expatfocus.com) (K)",
        note="libphonenumber lists only 990 (fire) and 999 (police).",
    ),
    _r("TV", "911", _listed("911")),
    _r(
        "TW",
        "119",
        _listed("119", "112"),
        crisis=(
            "the mental health support line on 1925",
            "Ministry of Health and Welfare: 1925, 24 hours (K)",
        ),
    ),
    _r(
        "TZ",
        "112",
        _src(
            "WHO Global Status Report on Road Safety 2013: 112, as quoted by "
            "trekmedics.org/database/tnz ✓",
            _listed("112"),
        ),
        note="Reported to be unreliable; the fire brigade's 114 is also in use.",
    ),
    _r(
        "UA",
        "103 or 112",
        _src(_listed("103", "112"), _ROLE),
        crisis=("Lifeline Ukraine on 7333", "Lifeline Ukraine: 7333, 24/7 (K)"),
    ),
    _r("UG", "999", _listed("999")),
    _r("UM", None, None, note=_UNINHABITED),
    _r(
        "US",
        "911",
        _src("FCC: 911 (K)", _REF, _listed("911")),
        crisis=(_US_988, _src("SAMHSA: 988 Lifeline, call or text, 24/7 (K)", _REF)),
    ),
    _r("UY", "911", _listed("911")),
    _r(
        "UZ",
        "103",
        "Ministry of Health: emergency medical service 103 (kun.uz 2022-07-08, "
        "uz.sputniknews.ru 2026-01-15) ✓",
        note="libphonenumber lists only the older 03 and 003.",
    ),
    _r("VA", "118 or 112", _src(_listed("118", "112"), _ROLE)),
    _r("VC", "911", _listed("911", "999")),
    _r("VE", "911", _listed("911")),
    _r("VG", "911 or 999", _listed("911", "999")),
    _r("VI", "911", _listed("911"), crisis=(_US_988, "SAMHSA: 988 in US territories (K)")),
    _r("VN", "115", _src(_listed("115"), _ROLE)),
    _r("VU", "112", _listed("112")),
    _r("WF", "15", _src(_listed("15"), _ROLE)),
    _r("WS", "911", _src(_listed("911"), _ROLE)),
    _r("YE", "191", _src(_listed("191"), _ROLE)),
    _r(
        "YT",
        "15 or 112",
        _src(_listed("15", "112"), _EU),
        crisis=(_FR_3114, _FR_3114_SRC),
    ),
    _r(
        "ZA",
        "10177 (112 from a mobile)",
        _src(
            "Trek Medics: dial 10177, or 112 from mobile phones "
            "(trekmedics.org/database/south_africa) ✓",
            _listed("10177", "112"),
        ),
        crisis=(
            "the SADAG Suicide Crisis Helpline on 0800 567 567",
            "SADAG: 0800 567 567, 24 hours (K)",
        ),
    ),
    _r("ZM", "991 or 112", _src(_listed("991", "112"), _ROLE)),
    _r("ZW", "994 or 999", _src(_listed("994", "999"), _ROLE)),
)

BY_CODE: Mapping[str, CountryNumbers] = {row.code: row for row in ROWS}
if len(BY_CODE) != len(ROWS):
    raise RuntimeError("a country code appears twice in ROWS")
