"""The reproducible build of the embedded dataset (build time only; runtime readers never import it)."""
