"""Partnership insight: themes, capability gaps, SDG tags and the introductions funnel,
computed from arrays and dataclasses (no storage, no drawing)."""
