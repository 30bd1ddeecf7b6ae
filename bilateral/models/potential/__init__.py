"""Export potential (ITC's export potential indicator, Decreux & Spies 2016) on a world trade matrix.

- :mod:`.parameters`: the parameters file and the growth factors;
- :mod:`.sql`: the computation as one SQL text (DuckDB and Spark);
- :mod:`.supply`: the exporter's own statistics as the supply side;
- :mod:`.notes`: the release's notes, from its metadata;
- :mod:`.model`: :func:`potential`, one exporter by HS6 product, with sectors, suppliers, sanctions;
- :mod:`.sensitivity`: the top products' stability under the parameters that matter;
- :mod:`.diversification`: products not yet exported competitively, by relatedness and demand;
- :mod:`.scale`: every exporter × market × product, written to Parquet;
- :mod:`.inputs`: the inputs registered on an engine, :func:`potential_table` on DuckDB or Spark.

What follows the published method, what is simplified and what is missing is in
docs/commands/potential.md.
"""

from bilateral.models.potential.inputs import Inputs, default_growth, potential_table
from bilateral.models.potential.model import DEFAULT_TOP, SANCTIONS_MARKET, potential, resolve_sector
from bilateral.models.potential.parameters import Parameter, Parameters, growth_factors, parameters
from bilateral.models.potential.results import (
    MarketFactors,
    PotentialResult,
    ProductPotential,
    SectorTotal,
    Sensitivity,
    Supplier,
)
from bilateral.models.potential.sql import potential_sql

__all__ = ["DEFAULT_TOP", "SANCTIONS_MARKET", "Inputs", "MarketFactors", "Parameter", "Parameters",
           "PotentialResult", "ProductPotential", "SectorTotal", "Sensitivity", "Supplier", "default_growth",
           "growth_factors", "parameters", "potential", "potential_sql", "potential_table", "resolve_sector"]
