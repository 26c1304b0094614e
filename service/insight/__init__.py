"""Partnership insight wired to the pool: themes from the current index version's vectors
(:mod:`.themes`), SDG tags of every item (:mod:`.sdgs`), the capability-gap report through the
normal search path (:mod:`.gaps`), its charts (:mod:`.charts`) and exports (:mod:`.exports`), and the partnership dashboard
(:mod:`.dashboard`).
The computations themselves are :mod:`matcher.insight`'s."""
