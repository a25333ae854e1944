"""The offline drafter: deterministic drafts built from code facts, with no model and no network.

It is what the offline provider (:mod:`docagent.draft.providers.offline`) runs. A draft says
what the code visibly does: a summary sentence from the name and body (getters, predicates,
``__init__``, properties, converters, context managers, dunder methods, tests, ``main``), every
parameter with its annotation and default, Returns from the annotation or the return
expressions, Raises from ``raise`` statements (with their conditions), Yields for generators and
class attributes. Every draft passes the hard checks of :mod:`docagent.draft.draft_checks` by
construction.

Modules, from words up: ``vocabulary`` (fixed word tables), ``words`` (names and code as
prose), ``nodes`` (questions about ``ast`` nodes), ``param_uses`` and ``body_facts`` (what a body
shows), ``summaries`` (a function's summary sentence), ``args_section``, ``returns_section`` and
``raises_section`` (the sections), ``module_draft`` and ``class_draft``, and ``drafter``
(:class:`~docagent.draft.offline.drafter.OfflineDrafter`, which picks one by target kind).
"""
