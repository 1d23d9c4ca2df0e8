"""Controlled vocabularies of the List of common nomenclatures under Article 6.2 (17 Feb 2026).

The string values are exactly those printed in the AEF, so they can be written out unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class Metric(StrEnum):
    GHG = "GHG"
    NON_GHG = "non-GHG"


class Sector(StrEnum):
    AGRICULTURE = "Agriculture"
    BUILDING = "Building and construction"
    CROSS_SECTORAL = "Cross-sectoral mechanisms"
    ENERGY_GENERATION = "Energy generation"
    FORESTRY = "Forestry and land use"
    INDUSTRIAL_PROCESSES = "Industrial processes"
    TRANSPORTATION = "Transportation"
    URBAN_DEVELOPMENT = "Urban development"
    WASTE_MANAGEMENT = "Waste management"


class Purpose(StrEnum):
    """Purposes for authorization (Table 16(b))."""

    NDC = "NDC"
    OIMP = "OIMP"
    IMP = "IMP"
    OP = "OP"
    NDC_AND_OIMP = "NDC and OIMP"
    NDC_AND_IMP = "NDC and IMP"
    NDC_AND_OP = "NDC and OP"

    @property
    def covers_ndc(self) -> bool:
        return self.value.startswith("NDC")

    @property
    def covers_imp(self) -> bool:
        return self in (Purpose.OIMP, Purpose.IMP, Purpose.NDC_AND_OIMP, Purpose.NDC_AND_IMP)

    @property
    def covers_op(self) -> bool:
        return self in (Purpose.OIMP, Purpose.OP, Purpose.NDC_AND_OIMP, Purpose.NDC_AND_OP)

    @property
    def covers_oimp(self) -> bool:
        return self.covers_imp or self.covers_op


class FirstTransferDefinition(StrEnum):
    """When MOs authorized for OIMP are first transferred (Table 22(b); 2/CMA.3 annex para 2(b))."""

    AUTHORISATION = "Authorisation"
    ISSUANCE = "Issuance"
    USE_OR_CANCELLATION = "Use or Cancellation"


class ActionType(StrEnum):
    """AEF action types (Table 25(b))."""

    AUTHORIZATION = "Authorization"
    FIRST_TRANSFER = "First transfer"
    TRANSFER = "Transfer"
    ACQUISITION = "Acquisition"
    USE = "Use"
    CANCELLATION = "Cancellation"
    VOLUNTARY_CANCELLATION = "Voluntary Cancellation"


class ActionSubtype(StrEnum):
    """AEF action subtypes (Table 26(b))."""

    FIRST_TRANSFER_TO_ANOTHER_PARTY = "First transfer to another Party"
    AUTHORIZATION = "Authorization"
    ISSUANCE = "Issuance"
    USE_OR_CANCELLATION = "Use or cancellation"
    MANDATORY_AF_TRANSFER = "Mandatory transfer to the Adaptation Fund (A6.4 ERs)"
    VOLUNTARY_AF_TRANSFER = "Voluntary transfer to the Adaptation Fund (A6.4 ERs)"
    MANDATORY_OMGE = "Mandatory cancellation to deliver OMGE"
    VOLUNTARY_OMGE = "Voluntary cancellation to deliver OMGE"
    OTHER_CANCELLATIONS = "Other cancellations"
    NOT_YET_DEFINED = "Not yet defined"


class MitigationType(StrEnum):
    EMISSION_REDUCTIONS = "Emission reductions"
    REMOVALS = "Removals"
    REDUCTIONS_AND_REMOVALS = "Emission reductions and removals"


class UnderlyingRegistry(StrEnum):
    """Registries of underlying units (Table 31(b))."""

    VCS = "VCS"
    GS = "GS"
    CAR = "CAR"
    ACR = "ACR"
    ART = "ART"
    GCC = "GCC"
    CERCARBONO = "Cercarbono"
    ISOMETRIC = "Isometric"
    ISFL = "ISFL"
    FCPF = "FCPF"
    T_VER = "T-VER"
    JCM = "JCM"


class ActivityType(StrEnum):
    """Activity types (Table 51(b)); "C02 usage" is spelt with a zero as in the source."""

    AFFORESTATION = "Afforestation"
    AGRICULTURE = "Agriculture"
    BIOGAS = "Biogas"
    BIOMASS_ENERGY = "Biomass Energy"
    CEMENT = "Cement"
    CO2_USAGE = "C02 usage"
    COAL_MINE_METHANE = "Coal bed/mine methane"
    ENERGY_DISTRIBUTION = "Energy distribution"
    EE_HOUSEHOLDS = "Energy Efficiency households"
    EE_INDUSTRY = "Energy Efficiency Industry"
    EE_OWN_GENERATION = "Energy Efficiency own generation"
    EE_SERVICE = "Energy Efficiency service"
    EE_SUPPLY_SIDE = "Energy Efficiency supply side"
    FOSSIL_FUEL_SWITCH = "Fossil fuel switch"
    FUGITIVE = "Fugitive"
    GEOTHERMAL = "Geothermal"
    HYDRO = "Hydro"
    LANDFILL_GAS = "Landfill gas"
    METHANE_AVOIDANCE = "Methane avoidance"
    N2O = "N2O"
    PFCS_SF6 = "PFCs and SF6"
    REFORESTATION = "Reforestation"
    SOLAR = "Solar"
    TIDAL = "Tidal"
    TRANSPORT = "Transport"
    WASTE = "Waste"
    WIND = "Wind"
