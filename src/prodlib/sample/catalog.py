"""The sample production's cast of characters: scales, roles, vendors, descriptions, fault rates.

Plain data, kept apart from the generator so a reader can see (and change) what the sample looks
like without reading numpy code. Money here is integer cents or Decimal text; never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from prodlib.errors import RuleDataError
from prodlib.money import money, to_cents
from prodlib.rules import ScaleTable, load_scale

RATE_CARD_PATH = Path(__file__).resolve().parent.parent / "data" / "sample" / "rate_card.yaml"


# --- scales ------------------------------------------------------------------------------------

#: Principal photography of every sample scale: a Monday.
PP_DATE = date(2026, 3, 2)


@dataclass(frozen=True)
class Scale:
    """How big the sample production is.

    Attributes:
      name: the scale's name (indie | feature | studio).
      invoice_lines: total data rows over all invoice files (duplicates included).
      vendors: the first N vendors of :data:`VENDORS`.
      prep_weeks, shoot_weeks: weeks before and of principal photography.
      wrap_weeks: wrap + post, up to the end of the production window.
      budget_total: grand total in dollars, contingency and bond included (a target, not exact).
      crew: role key of :data:`ROLES` -> head count.
      background_per_day: background actors booked each shoot day.
      purchase_orders_extra: POs no invoice references (drafts, cancelled, open).
      petty_cash_envelopes: envelopes of receipts.
      night_share: share of shoot days that are night shoots (wrap past midnight).
    """

    name: str
    invoice_lines: int  # total data rows over all invoice files (duplicates included)
    vendors: int  # first N vendors of :data:`VENDORS`
    prep_weeks: int
    shoot_weeks: int
    wrap_weeks: int  # wrap + post, up to the end of the production window
    budget_total: int  # grand total in dollars, contingency and bond included (a target, not exact)
    crew: MappingProxyType  # role key -> head count
    background_per_day: int
    purchase_orders_extra: int  # POs no invoice references (drafts, cancelled, open)
    petty_cash_envelopes: int
    night_share: float = 0.15  # share of shoot days that are night shoots (wrap past midnight)


def _crew(**counts: int) -> MappingProxyType:
    return MappingProxyType(counts)


SCALES: MappingProxyType = MappingProxyType({
    "indie": Scale(
        "indie", invoice_lines=400, vendors=4, prep_weeks=2, shoot_weeks=2, wrap_weeks=4,
        budget_total=1_500_000,
        crew=_crew(writer=1, director=1, first_ad=1, second_ad=1, principal=3, day_player=2, stunt=1,
                   background_pool=14, key_grip=1, grip=1, gaffer=1, electrician=1, camera_operator=1,
                   first_ac=1, property_master=1, set_dresser=1, costumer=1, makeup=1, pa=2),
        background_per_day=8, purchase_orders_extra=10, petty_cash_envelopes=6,
    ),
    "feature": Scale(
        "feature", invoice_lines=40_000, vendors=12, prep_weeks=8, shoot_weeks=8, wrap_weeks=9,
        budget_total=35_000_000,
        crew=_crew(writer=2, director=1, upm=1, first_ad=1, second_ad=2, principal=8, day_player=20, stunt=8,
                   background_pool=160, key_grip=1, grip=8, gaffer=1, electrician=8, camera_operator=2,
                   first_ac=2, property_master=1, set_dresser=6, costumer=5, makeup=5, pa=8),
        background_per_day=45, purchase_orders_extra=60, petty_cash_envelopes=80,
    ),
    "studio": Scale(
        "studio", invoice_lines=1_000_000, vendors=24, prep_weeks=8, shoot_weeks=16, wrap_weeks=14,
        budget_total=150_000_000,
        crew=_crew(writer=3, director=1, upm=1, first_ad=1, second_ad=3, principal=16, day_player=60, stunt=25,
                   background_pool=900, key_grip=1, grip=20, gaffer=1, electrician=20, camera_operator=4,
                   first_ac=4, property_master=2, set_dresser=15, costumer=12, makeup=12, pa=20),
        background_per_day=150, purchase_orders_extra=300, petty_cash_envelopes=400,
    ),
})


# --- roles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A position the sample pays.

    Attributes:
      key: the role's key (head counts in :attr:`Scale.crew` use it).
      union: its union, as payroll writes it.
      classification: a classification of the rate card.
      occ_code: payroll house occupation code (an extra column, not mapped).
      cost_code: the detail code its pay is charged to.
      schedule: how it is paid: flat_once | weekly_prep_shoot | weekly_late_prep_shoot |
        days_principal | days_few | background | hourly.
    """

    key: str
    union: str
    classification: str  # must be a classification of the rate card
    occ_code: str  # payroll house occupation code (an extra column, not mapped)
    cost_code: str
    schedule: str  # flat_once | weekly_prep_shoot | weekly_late_prep_shoot | days_principal | days_few | hourly


ROLES: tuple[Role, ...] = (
    Role("writer", "WGA", "Writer", "WGA-SCR", "1100-02", "flat_once"),
    Role("director", "DGA", "Director", "DGA-DIR", "1300-01", "weekly_prep_shoot"),
    Role("upm", "DGA", "Unit Production Manager", "DGA-UPM", "2000-01", "weekly_prep_shoot"),
    Role("first_ad", "DGA", "First Assistant Director", "DGA-1AD", "2000-02", "weekly_late_prep_shoot"),
    Role("second_ad", "DGA", "Second Assistant Director", "DGA-2AD", "2000-02", "weekly_late_prep_shoot"),
    Role("principal", "SAG-AFTRA", "Principal Performer", "SAG-PRN", "1400-01", "days_principal"),
    Role("day_player", "SAG-AFTRA", "Principal Performer", "SAG-DAY", "1400-02", "days_few"),
    Role("stunt", "SAG-AFTRA", "Stunt Performer", "SAG-STN", "1400-03", "days_few"),
    Role("background_pool", "SAG-AFTRA", "Background Actor", "SAG-BG", "2100-01", "background"),
    Role("key_grip", "IATSE", "Key Grip", "IA80-KG", "2500-01", "hourly"),
    Role("grip", "IATSE", "Grip", "IA80-GR", "2500-01", "hourly"),
    Role("gaffer", "IATSE", "Gaffer", "IA728-GF", "3200-01", "hourly"),
    Role("electrician", "IATSE", "Electrician", "IA728-EL", "3200-01", "hourly"),
    Role("camera_operator", "IATSE", "Camera Operator", "IA600-OP", "3300-01", "hourly"),
    Role("first_ac", "IATSE", "First Assistant Camera", "IA600-1AC", "3300-01", "hourly"),
    Role("property_master", "IATSE", "Property Master", "IA44-PM", "2800-01", "hourly"),
    Role("set_dresser", "IATSE", "Set Dresser", "IA44-SD", "2700-01", "hourly"),
    Role("costumer", "IATSE", "Costumer", "IA705-CO", "2900-01", "hourly"),
    Role("makeup", "IATSE", "Makeup Artist", "IA706-MU", "3100-01", "hourly"),
    Role("pa", "NON-UNION", "Production Assistant", "NU-PA", "2000-04", "hourly"),
)
ROLE_BY_KEY = {r.key: r for r in ROLES}

#: Non-pensionable lines the sample payroll house writes (flat amounts in cents, hours blank).
PER_DIEM_CENTS = 7_500  # principal cast, per day worked, 1500-03
KIT_RENTAL_CENTS = 15_000  # makeup artists, per week worked, 3100-03
MILEAGE_RATE_MILLICENTS = 70_000  # PAs: 0.70 a mile; weekly amount = miles * 0.70, 3500-03


#: Deal rates are drawn in steps of their unit: a quarter an hour, a dollar a day or a week, $1,000 a deal.
PAY_STEP_CENTS: MappingProxyType = MappingProxyType({"hour": 25, "day": 100, "week": 100, "flat": 100_000})
_RATE_CARD_KEYS = frozenset({"union", "classification", "budget_tier", "pay_up_to"})


@dataclass(frozen=True)
class RateLine:
    """What the sample pays one classification: the rule data's minimum and the card's range above it.

    Attributes:
      union: the union, as payroll writes it.
      classification: the classification, as payroll writes it (WGA "Writer" is an alias in the rules).
      unit: hour | day | week | flat: the rule data's unit for the minimum.
      min_cents: the scale minimum in force (data/rules/scale_minimums.yaml), in cents.
      low_cents: the lowest deal rate drawn: the minimum rounded up to the unit's pay step.
      high_cents: the highest deal rate drawn (the rate card's ``pay_up_to``).
    """

    union: str
    classification: str
    unit: str
    min_cents: int
    low_cents: int
    high_cents: int


@cache
def _rate_card_doc() -> dict[str, Any]:
    return yaml.safe_load(RATE_CARD_PATH.read_text(encoding="utf-8"))


def price_rate_card(entries: list[dict[str, Any]], scale: ScaleTable, budget_tier: str | None,
                    on: date) -> dict[str, RateLine]:
    """The rate card's ``entries`` priced against the scale minimums in force ``on``, by classification.

    Entries marked with a ``budget_tier`` hold only at that tier. With ``budget_tier=None`` a tiered
    classification gets its lowest line: a floor that holds at every tier (what a check "paid at
    least the minimum" may use when it does not know the tier). An entry may carry only
    union, classification, budget_tier and pay_up_to: a minimum of its own would be a second copy
    of the rule data's (:class:`RuleDataError`).
    """
    for n, c in enumerate(entries):
        extra = sorted(set(c) - _RATE_CARD_KEYS)
        if extra:
            raise RuleDataError(RATE_CARD_PATH, f"unknown key {extra[0]!r} (an entry keeps only "
                                f"{', '.join(sorted(_RATE_CARD_KEYS))})", field=f"classifications[{n}]")
        if not isinstance(c.get("pay_up_to"), str):
            raise RuleDataError(RATE_CARD_PATH, "pay_up_to must be quoted decimal text, e.g. \"60.00\"",
                                field=f"classifications[{n}].pay_up_to")
    out: dict[str, RateLine] = {}
    for c in entries:
        tier = c.get("budget_tier")
        if budget_tier is not None and tier is not None and tier != budget_tier:
            continue
        union, cls = str(c["union"]), str(c["classification"])
        try:
            rule = scale.lookup(union, cls, on, tier or budget_tier)
        except ValueError as exc:
            raise RuleDataError(RATE_CARD_PATH, str(exc), field=cls) from None
        if rule is None:
            raise RuleDataError(RATE_CARD_PATH, f"no {union} scale minimum in force on {on}", field=cls)
        step = PAY_STEP_CENTS[rule.unit]
        minimum = to_cents(rule.minimum)
        line = RateLine(union, cls, rule.unit, minimum, -(-minimum // step) * step, to_cents(money(c["pay_up_to"])))
        if line.high_cents < line.low_cents:
            raise RuleDataError(RATE_CARD_PATH, f"pay_up_to is below the minimum {rule.minimum}", field=cls)
        prev = out.get(cls)
        if prev is not None and budget_tier is not None:
            raise RuleDataError(RATE_CARD_PATH, f"two lines at tier {budget_tier}", field=cls)
        if prev is None or line.min_cents < prev.min_cents:
            out[cls] = line
    return out


@cache
def rate_card(budget_tier: str | None = None, on: date = PP_DATE) -> dict[str, RateLine]:
    """The sample rate card (data/sample/rate_card.yaml) at a WGA budget tier, its minimums those of
    the shipped rule data in force ``on`` (the sample's PP date); the generator always passes its tier."""
    return price_rate_card(_rate_card_doc()["classifications"], load_scale(), budget_tier, on)


#: Classifications a payroll clerk might type that are in no rate card (UNKNOWN_CLASSIFICATION).
UNKNOWN_CLASSIFICATIONS = ("Best Boy Grip", "Video Assist Operator", "Utility Stand-In", "Grip Trainee")


# --- vendors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceStyle:
    """How one family of vendor systems writes an invoice export.

    Attributes:
      name: the style's name (a key of :data:`STYLES`).
      columns: (canonical, header) in file order; "" canonical = an unmapped column.
      date_format: strptime format of its dates.
      money: a :data:`formats.MONEY_STYLES` entry.
      money_locale: us | eu (what sources.yaml declares).
      code_spelling: dash | dot | compact (see :func:`formats.code_spelling`).
      invoice_prefix, invoice_width: how invoice numbers are written (prefix, zero-padded width).
      delimiter, encoding, eol: the file's CSV dialect and bytes.
    """

    name: str
    columns: tuple[tuple[str, str], ...]  # (canonical, header) in file order; "" canonical = unmapped
    date_format: str
    money: str
    money_locale: str  # us | eu (what sources.yaml declares)
    code_spelling: str  # dash | dot | compact
    invoice_prefix: str
    invoice_width: int
    delimiter: str = ","
    encoding: str = "utf-8"
    eol: str = "\n"


STYLES: MappingProxyType = MappingProxyType({
    # QuickBooks-like: US dates, dollar signs, credits with a minus, CRLF.
    "us_dollar": InvoiceStyle(
        "us_dollar",
        (("invoice_number", "Invoice #"), ("invoice_date", "Inv Date"), ("po_number", "PO #"),
         ("cost_code", "Acct"), ("description", "Description"), ("", "Terms"), ("amount", "Amount")),
        "%m/%d/%Y", "us_dollar", "us", "dash", "INV-", 6, eol="\r\n",
    ),
    # An ERP's flat file: ISO dates, bare numbers without trailing zeros, dotted account codes.
    "plain_iso": InvoiceStyle(
        "plain_iso",
        (("invoice_date", "invoice_date"), ("invoice_number", "invoice_no"), ("cost_code", "gl_code"),
         ("po_number", "po_ref"), ("description", "memo"), ("amount", "total")),
        "%Y-%m-%d", "plain_trim", "us", "dot", "", 0,
    ),
    # Saved from a spreadsheet: d-Mon-yy dates, accounting parentheses, compact codes, BOM, CRLF.
    "excel_dmy": InvoiceStyle(
        "excel_dmy",
        (("invoice_number", "Document No"), ("invoice_date", "Doc Date"), ("cost_code", "Cost Code"),
         ("description", "Line Description"), ("po_number", "Cust PO"), ("amount", "Net Amount")),
        "%d-%b-%y", "us_grouped_paren", "us", "compact", "SI", 7, encoding="utf-8-sig", eol="\r\n",
    ),
    # A German vendor: semicolons, 1.234,56, dd.mm.yyyy, Windows-1252, CRLF.
    "eu": InvoiceStyle(
        "eu",
        (("invoice_number", "Rechnungsnr"), ("invoice_date", "Rechnungsdatum"), ("po_number", "Bestellnr"),
         ("cost_code", "Kostenstelle"), ("description", "Beschreibung"), ("", "Waehrung"), ("amount", "Betrag")),
        "%d.%m.%Y", "eu", "eu", "dash", "RE-2026-", 5, delimiter=";", encoding="cp1252", eol="\r\n",
    ),
})


@dataclass(frozen=True)
class Vendor:
    """A vendor of the sample production.

    Attributes:
      vendor_id, name: as the AP system knows it (sources.yaml constants).
      slug: its folder and file name under invoices/.
      style: a key of :data:`STYLES`: how its system writes exports.
      codes: (detail code, share of lines) it invoices.
      phase: prep | shoot | post | all: when its invoices are dated.
      blank_code_share: share of lines sent without a cost code.
      default_cost_code: the sources.yaml default for those lines; None = the chart's keyword rules.
      po_share: share of lines that reference a PO.
      split_monthly: one export file per month (else one file).
      weight: relative share of invoice lines.
    """

    vendor_id: str
    name: str
    slug: str
    style: str
    codes: tuple[tuple[str, float], ...]  # (detail code, share of lines)
    phase: str  # prep | shoot | post | all: when its invoices are dated
    blank_code_share: float = 0.0  # lines sent without a cost code
    default_cost_code: str | None = None  # sources.yaml default for those lines; None = keyword rules
    po_share: float = 0.35  # lines that reference a PO
    split_monthly: bool = True  # one export file per month (else one file)
    weight: float = 1.0  # relative share of invoice lines


# The first four cover the four styles, a vendor default and keyword-mapped lines: indie uses them.
VENDORS: tuple[Vendor, ...] = (
    Vendor("V-ACME", "Acme Grip & Lighting", "acme_grip", "us_dollar",
           (("2500-02", .45), ("2500-04", .2), ("3200-02", .25), ("3200-03", .1)), "all",
           blank_code_share=.06, default_cost_code="2500-02", weight=3.0),
    Vendor("V-LENS", "Lens & Light Camera Rentals", "lens_light", "plain_iso",
           (("3300-02", .75), ("3300-03", .25)), "all", weight=2.0),
    Vendor("V-HOTP", "Hot Plate Catering", "hot_plate", "excel_dmy",
           (("3700-01", .75), ("2500-03", .25)), "shoot", blank_code_share=.5, po_share=.1, weight=3.0),
    Vendor("V-NORD", "Nordlicht Bildwerk GmbH", "nordlicht_vfx", "eu",
           (("5500-01", .8), ("5300-01", .2)), "post", po_share=.6, split_monthly=False, weight=1.0),
    Vendor("V-WPRP", "Westside Prop House", "westside_props", "plain_iso",
           (("2800-02", .6), ("2700-02", .4)), "all", weight=2.0),
    Vendor("V-COST", "Costume Collective", "costume_collective", "us_dollar",
           (("2900-02", .8), ("2900-03", .2)), "all", weight=1.5),
    Vendor("V-SUNS", "Sunset Suites Hotel", "sunset_suites", "excel_dmy",
           (("3800-02", .8), ("1500-02", .2)), "shoot", blank_code_share=.3, po_share=.05, weight=2.0),
    Vendor("V-SKYT", "Skyline Travel", "skyline_travel", "us_dollar",
           (("3800-01", .6), ("1500-01", .4)), "all", po_share=0.0, weight=1.0),
    Vendor("V-VALT", "Valley Transport Rentals", "valley_transport", "plain_iso",
           (("3500-02", .85), ("3500-03", .15)), "all", weight=2.0),
    Vendor("V-PERM", "City Film Permits & Police", "city_permits", "us_dollar",
           (("3600-03", 1.0),), "shoot", po_share=0.0, weight=.5),
    Vendor("V-LOCP", "Location Partners LLC", "location_partners", "plain_iso",
           (("3600-01", 1.0),), "shoot", weight=.8),
    Vendor("V-CUTR", "Cutting Room Post", "cutting_room", "plain_iso",
           (("5000-02", .3), ("5200-01", .3), ("5200-02", .2), ("5300-02", .2)), "post", weight=1.5),
    Vendor("V-SNDW", "SoundWorks Rentals", "soundworks", "us_dollar",
           (("3400-02", 1.0),), "shoot", weight=.8),
    Vendor("V-GLAM", "Glam Pro Supply", "glam_supply", "excel_dmy",
           (("3100-03", 1.0),), "shoot", weight=.8),
    Vendor("V-LUMB", "Builders Lumber Yard", "builders_lumber", "excel_dmy",
           (("2300-02", 1.0),), "prep", weight=1.5),
    Vendor("V-ARTS", "Art Supply Depot", "art_supply", "us_dollar",
           (("2200-03", 1.0),), "prep", weight=1.0),
    Vendor("V-MUSC", "Harmonic Clearances", "harmonic_clearances", "us_dollar",
           (("5100-02", 1.0),), "post", weight=.3),
    Vendor("V-INSU", "Framewise Insurance Brokers", "framewise_insurance", "us_dollar",
           (("6700-01", 1.0),), "prep", po_share=0.0, split_monthly=False, weight=.1),
    Vendor("V-LEGL", "Baxter & Lowe LLP", "baxter_lowe", "plain_iso",
           (("6800-03", .7), ("1100-03", .3)), "all", po_share=0.0, weight=.3),
    Vendor("V-OFFC", "Lot 9 Office Leasing", "lot9_office", "us_dollar",
           (("6800-02", 1.0),), "all", weight=.3),
    Vendor("V-STIL", "Frame Grab Stills", "frame_grab", "excel_dmy",
           (("6500-02", 1.0),), "shoot", weight=.3),
    Vendor("V-POWR", "PowerUp Generators", "powerup_generators", "excel_dmy",
           (("3200-03", 1.0),), "shoot", blank_code_share=.4, weight=1.2),
    Vendor("V-LUMR", "Lumière Recherche SARL", "lumiere_recherche", "eu",
           (("1100-03", 1.0),), "prep", po_share=0.0, weight=.2),
    Vendor("V-EXPN", "Set Shop Expendables", "set_shop", "plain_iso",
           (("2500-04", .7), ("3300-03", .3)), "all", weight=2.5),
)

# --- descriptions ------------------------------------------------------------------------------

#: Per detail code, line descriptions; "{n}" takes a number. Used where the line carries a code.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "1100-03": ("Title report and clearance research", "Script clearance notes draft {n}",
                "Recherche Drehbuch Szene {n}"),
    "1500-01": ("Airfare cast travel ticket {n}", "Change fee cast ticket {n}"),
    "1500-02": ("Cast suite nights x{n}", "Cast lodging folio {n}"),
    "2200-03": ("Foam core and paint markers", "Drafting supplies order {n}", "Scenic paint samples {n}"),
    "2300-02": ("Lumber 2x4 studs qty {n}", "Plywood sheets qty {n}", "Hardware and fasteners order {n}"),
    "2500-02": ("Grip package rental wk {n}", "Dolly and track rental wk {n}", "Grip truck rental wk {n}"),
    "2500-03": ("Craft service restock day {n}", "Craft service coffee setup day {n}"),
    "2500-04": ("Expendables order {n}", "Gaffer tape and sash cord order {n}", "Expendables restock {n}"),
    "2700-02": ("Set dressing rental set {n}", "Furniture rental set {n}", "Drapery purchase set {n}"),
    "2800-02": ("Prop rental set {n}", "Hand props purchase order {n}", "Picture vehicle prop {n}"),
    "2900-02": ("Wardrobe rental fitting {n}", "Costume purchase order {n}", "Period costume rental {n}"),
    "2900-03": ("Dry cleaning batch {n}", "Dyeing and aging batch {n}"),
    "3100-03": ("Makeup supplies order {n}", "Prosthetics materials order {n}", "Hair supplies order {n}"),
    "3200-02": ("Lighting package rental wk {n}", "LED panel rental wk {n}", "HMI rental wk {n}"),
    "3200-03": ("Tow plant rental day {n}", "Power distribution rental day {n}", "Genny rental day {n}"),
    "3300-02": ("Camera package rental wk {n}", "Lens package rental wk {n}", "Camera body rental wk {n}"),
    "3300-03": ("Media and drives order {n}", "Lens tissue and camera tape order {n}"),
    "3400-02": ("Sound package rental wk {n}", "Wireless mic rental wk {n}"),
    "3500-02": ("Cube truck rental wk {n}", "Passenger van rental wk {n}", "Honeywagon rental wk {n}"),
    "3500-03": ("Diesel delivery {n} gal", "Vehicle fueling card statement {n}"),
    "3600-01": ("Location fee day {n}", "Location holding fee day {n}", "Site rental day {n}"),
    "3600-03": ("Filming permit application {n}", "Police detail shift {n}", "Fire safety officer shift {n}"),
    "3700-01": ("Crew meals day {n}", "Second meal day {n}", "Breakfast service day {n}"),
    "3800-01": ("Crew airfare ticket {n}", "Airfare change fee ticket {n}"),
    "3800-02": ("Crew room nights x{n}", "Crew lodging folio {n}"),
    "5000-02": ("Edit suite rental wk {n}", "Avid license and storage wk {n}"),
    "5100-02": ("Sync license cue {n}", "Master use license cue {n}"),
    "5200-01": ("Sound editorial reel {n}", "Dialogue edit reel {n}"),
    "5200-02": ("Final mix day {n}", "Temp mix day {n}"),
    "5300-01": ("Color grading session {n}", "Farbkorrektur Sitzung {n}"),
    "5300-02": ("Deliverables DCP version {n}", "Closed captions deliverable {n}"),
    "5500-01": ("VFX shots batch {n}", "Compositing Szene {n} \u2013 \u00dcberarbeitung", "Set extension shot {n}"),
    "6500-02": ("Unit stills day {n}", "Stills retouching batch {n}"),
    "6700-01": ("Production package premium installment {n}", "Equipment floater endorsement {n}"),
    "6800-02": ("Production office rent month {n}", "Office furniture rental month {n}"),
    "6800-03": ("Legal services matter {n}", "Contract review matter {n}"),
}

#: Descriptions of lines sent WITHOUT a code: each matches exactly one keyword rule of the chart,
#: the rule whose code is the key (checked by the tests).
KEYWORD_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "3700-01": ("Catering lunch {n} ppl", "Hot lunch service {n} ppl", "Catering breakfast and lunch {n} ppl"),
    "2500-03": ("Craft service restock day {n}", "Craft svc snacks and coffee day {n}"),
    "3800-02": ("Hotel room block night {n}", "Hotel folio room {n}"),
    "3200-03": ("Generator rental day {n}", "Generator delivery and pickup {n}"),
    "3500-03": ("Fuel delivery {n} gal", "Fuel card statement {n}"),
    "2500-04": ("Expendables order {n}",),
}

#: Petty cash receipts: (code, description) pairs; code "" = written without a code (keyword rules).
PETTY_CASH_ITEMS: tuple[tuple[str, str], ...] = (
    ("2500-04", "Hardware store - gaff tape"),
    ("2500-04", "Batteries AA AAA"),
    ("3700-01", "Water and ice for set"),
    ("3500-03", "Gas stake bed truck"),
    ("2800-02", "Thrift store props"),
    ("2200-03", "Art store foam core"),
    ("2900-02", "Wardrobe alterations supplies"),
    ("3600-03", "Parking permit meter bags"),
    ("6800-02", "Office supplies printer toner"),
    ("3100-03", "Makeup wipes and setting spray"),
    ("", "Lunch for location scout"),
    ("", "Gas for camera van"),
    ("", "Permit copy fees"),
)

# --- budget ------------------------------------------------------------------------------------

#: Relative weight of each non-labor (or partly non-labor) detail code in the locked budget.
BUDGET_WEIGHTS: dict[str, float] = {
    "1100-01": 40, "1100-03": 2, "1200-01": 60, "1200-02": 6, "1300-02": 4, "1400-04": 8,
    "1500-01": 10, "1500-02": 14, "1500-03": 4,
    "2000-01": 2, "2000-03": 8, "2100-02": 4, "2200-01": 14, "2200-02": 10, "2200-03": 8, "2300-01": 40, "2300-02": 30,
    "2500-02": 22, "2500-03": 8, "2500-04": 6, "2700-02": 16, "2800-02": 12, "2900-02": 14, "2900-03": 3,
    "3100-02": 6, "3100-03": 4, "3200-02": 20, "3200-03": 8, "3300-02": 22, "3300-03": 4, "3400-01": 10,
    "3400-02": 6, "3500-01": 18, "3500-02": 16, "3500-03": 6, "3600-01": 24, "3600-02": 8, "3600-03": 6,
    "3700-01": 16, "3800-01": 10, "3800-02": 18, "3800-03": 6,
    "5000-01": 20, "5000-02": 8, "5100-01": 12, "5100-02": 10, "5200-01": 10, "5200-02": 8,
    "5300-01": 8, "5300-02": 6, "5500-01": 60, "5500-02": 8,
    "6500-01": 4, "6500-02": 2, "6700-01": 12, "6800-01": 10, "6800-02": 6, "6800-03": 6, "6800-04": 1,
}
#: Detail codes that are people (fringes apply), whether or not the sample pays them.
LABOR_CODES = frozenset({
    "1100-02", "1200-01", "1200-02", "1300-01", "1300-02", "1400-01", "1400-02", "1400-03", "1400-04",
    "2000-01", "2000-02", "2000-03", "2000-04", "2100-01", "2100-02", "2200-01", "2200-02", "2300-01",
    "2500-01", "2700-01", "2800-01", "2900-01", "3100-01", "3100-02", "3200-01", "3300-01", "3400-01",
    "3500-01", "3600-02", "5000-01", "5100-01", "5500-02", "6500-01", "6800-01",
})
#: Fringe budget as a share of the labor it covers, per fringe detail ("01" taxes, "02" P&H, "03" WC).
FRINGE_SHARES = {"01": Decimal("0.09"), "02": Decimal("0.14"), "03": Decimal("0.03")}
CONTINGENCY_SHARE = Decimal("0.10")
BOND_SHARE = Decimal("0.02")

# --- faults ------------------------------------------------------------------------------------


#: Default fault rates per input kind: the share of that kind's rows given each fault. Each kind
#: gets at least one row of each of its faults, whatever the scale, so "indie" exercises them all.
#: The budget and the bank feed come from systems that do not produce these errors: no faults.
FAULT_RATES: MappingProxyType = MappingProxyType({
    "invoice": MappingProxyType({
        "unknown_cost_code": 0.002, "ambiguous_cost_code": 0.001, "malformed_amount": 0.002,
        "missing_field": 0.002, "duplicate_invoice": 0.002, "date_out_of_window": 0.001, "malformed_date": 0.001,
    }),
    "purchase_order": MappingProxyType({
        "unknown_cost_code": 0.005, "ambiguous_cost_code": 0.005, "malformed_amount": 0.005,
        "missing_field": 0.005, "date_out_of_window": 0.005, "malformed_date": 0.005,
    }),
    "petty_cash": MappingProxyType({
        "unknown_cost_code": 0.005, "ambiguous_cost_code": 0.005, "malformed_amount": 0.005,
        "missing_field": 0.005, "date_out_of_window": 0.005, "malformed_date": 0.005,
    }),
    "timecard": MappingProxyType({"missing_field": 0.002, "malformed_date": 0.002, "malformed_value": 0.002}),
    "payroll": MappingProxyType({
        "below_scale": 0.002, "overtime_underpaid": 0.002, "misclassified_position": 0.002,
        "unknown_classification": 0.002, "negative_gross": 0.001,
    }),
})

UNKNOWN_CODES = ("9950-01", "2150-07", "2500-09", "4400-01")
BAD_AMOUNTS_US = ("12..50", "1e3", "N/A", "$12.3.4")
BAD_AMOUNTS_EU = ("12,,50", "1e3", "N/A", "1.234.5")
#: Dates that do not parse with the given format (invalid day or month, or another format).
BAD_DATES: dict[str, tuple[str, ...]] = {
    "%Y-%m-%d": ("2026-02-30", "2026-13-04", "2026/03/04"),
    "%m/%d/%Y": ("02/30/2026", "13/04/2026", "2026-03-04"),
    "%m/%d/%y": ("02/30/26", "13/04/26", "3.4.26"),
    "%d-%b-%y": ("30-Feb-26", "4-Mrz-26", "04/03/2026"),
    "%d.%m.%Y": ("30.02.2026", "04.13.2026", "2026-03-04"),
}
BAD_TIMES = ("7:3O", "25:75", "0730", "noon")

FIRST_NAMES = (
    "Alex", "Jordan", "Sam", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Drew", "Robin",
    "Maria", "Jose", "Wei", "Priya", "Omar", "Elena", "Kenji", "Fatima", "Lucas", "Amara", "Noah", "Sofia",
    "Diego", "Hannah", "Mateo", "Chloe", "Arjun", "Zoe", "Malik", "Ines", "Tomas", "Leila", "Ravi", "Nora",
)
LAST_NAMES = (
    "Garcia", "Smith", "Nguyen", "Johnson", "Okafor", "Kim", "Patel", "Rossi", "Cohen", "Silva", "Murphy",
    "Tanaka", "Haddad", "Novak", "Larsen", "O'Brien", "Mendez", "Fischer", "Walker", "Chen", "Diaz", "Brooks",
    "Kowalski", "Ahmed", "Moreau", "Reyes", "Schmidt", "Baker", "Ivanova", "Lopez", "Young", "Hughes",
)
