"""The AEF's vocabulary (decision 6/CMA.4's agreed electronic format) in words on the screens.

The records, the API and the AEF keep the official English values; a page in another language
shows its translation with the official value beside it, so a reader can match the two."""

from __future__ import annotations

from article6 import translation
from article6.domain.nomenclature import (
    ActionSubtype,
    ActionType,
    ActivityType,
    FirstTransferDefinition,
    MitigationType,
    Purpose,
    Sector,
)
from article6.domain.wording import Words, words

VOCABULARY: dict[str, Words] = {
    FirstTransferDefinition.AUTHORISATION: words("Authorisation"),
    FirstTransferDefinition.ISSUANCE: words("Issuance"),
    FirstTransferDefinition.USE_OR_CANCELLATION: words("Use or Cancellation"),
    Sector.AGRICULTURE: words("Agriculture"),
    Sector.BUILDING: words("Building and construction"),
    Sector.CROSS_SECTORAL: words("Cross-sectoral mechanisms"),
    Sector.ENERGY_GENERATION: words("Energy generation"),
    Sector.FORESTRY: words("Forestry and land use"),
    Sector.INDUSTRIAL_PROCESSES: words("Industrial processes"),
    Sector.TRANSPORTATION: words("Transportation"),
    Sector.URBAN_DEVELOPMENT: words("Urban development"),
    Sector.WASTE_MANAGEMENT: words("Waste management"),
    MitigationType.EMISSION_REDUCTIONS: words("Emission reductions"),
    MitigationType.REMOVALS: words("Removals"),
    MitigationType.REDUCTIONS_AND_REMOVALS: words("Emission reductions and removals"),
    Purpose.NDC: words("NDC"),
    Purpose.OIMP: words("OIMP"),
    Purpose.NDC_AND_OIMP: words("NDC and OIMP"),
    Purpose.NDC_AND_IMP: words("NDC and IMP"),
    Purpose.NDC_AND_OP: words("NDC and OP"),
    # Action types (Table 25(b)) a page shows as values; "Transfer" is the verb in the catalog.
    ActionType.AUTHORIZATION: words("Authorization"),
    ActionType.FIRST_TRANSFER: words("First transfer"),
    ActionType.ACQUISITION: words("Acquisition"),
    ActionType.USE: words("Use"),
    ActionType.CANCELLATION: words("Cancellation"),
    ActionType.VOLUNTARY_CANCELLATION: words("Voluntary Cancellation"),
    ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY: words("First transfer to another Party"),
    ActionSubtype.USE_OR_CANCELLATION: words("Use or cancellation"),
    ActionSubtype.MANDATORY_AF_TRANSFER: words(
        "Mandatory transfer to the Adaptation Fund (A6.4 ERs)"
    ),
    ActionSubtype.VOLUNTARY_AF_TRANSFER: words(
        "Voluntary transfer to the Adaptation Fund (A6.4 ERs)"
    ),
    ActionSubtype.MANDATORY_OMGE: words("Mandatory cancellation to deliver OMGE"),
    ActionSubtype.VOLUNTARY_OMGE: words("Voluntary cancellation to deliver OMGE"),
    ActionSubtype.OTHER_CANCELLATIONS: words("Other cancellations"),
    ActionSubtype.NOT_YET_DEFINED: words("Not yet defined"),
    # Activity types (Table 51(b)); "C02 usage" is spelt as in the nomenclature. Agriculture is
    # the sector's word above; N2O is a formula, the same in every language.
    ActivityType.AFFORESTATION: words("Afforestation"),
    ActivityType.BIOGAS: words("Biogas"),
    ActivityType.BIOMASS_ENERGY: words("Biomass Energy"),
    ActivityType.CEMENT: words("Cement"),
    ActivityType.CO2_USAGE: words("C02 usage"),
    ActivityType.COAL_MINE_METHANE: words("Coal bed/mine methane"),
    ActivityType.ENERGY_DISTRIBUTION: words("Energy distribution"),
    ActivityType.EE_HOUSEHOLDS: words("Energy Efficiency households"),
    ActivityType.EE_INDUSTRY: words("Energy Efficiency Industry"),
    ActivityType.EE_OWN_GENERATION: words("Energy Efficiency own generation"),
    ActivityType.EE_SERVICE: words("Energy Efficiency service"),
    ActivityType.EE_SUPPLY_SIDE: words("Energy Efficiency supply side"),
    ActivityType.FOSSIL_FUEL_SWITCH: words("Fossil fuel switch"),
    ActivityType.FUGITIVE: words("Fugitive"),
    ActivityType.GEOTHERMAL: words("Geothermal"),
    ActivityType.HYDRO: words("Hydro"),
    ActivityType.LANDFILL_GAS: words("Landfill gas"),
    ActivityType.METHANE_AVOIDANCE: words("Methane avoidance"),
    ActivityType.PFCS_SF6: words("PFCs and SF6"),
    ActivityType.REFORESTATION: words("Reforestation"),
    ActivityType.SOLAR: words("Solar"),
    ActivityType.TIDAL: words("Tidal"),
    ActivityType.TRANSPORT: words("Transport"),
    ActivityType.WASTE: words("Waste"),
    ActivityType.WIND: words("Wind"),
}


def official(value: object) -> str:
    """An AEF value as the reader's language says it, the official English after it when they
    differ ("Utilisation ou annulation (Use or Cancellation)"); any other value as it is."""
    if value is None:
        return ""
    code = str(value)
    known = VOCABULARY.get(code)
    if known is None:
        return translation.said(value) if isinstance(value, Words) else code
    said = translation.said(known)
    return code if said == code else f"{said} ({code})"
