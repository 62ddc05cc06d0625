"""Transformations of the observations between reading and assessing them.

:mod:`~analysis.transform.harmonisation` carries vn63 series onto the 34 units of 2025,
:mod:`~analysis.transform.national` computes the nation from its provinces, and
:mod:`~analysis.transform.observations` checks and normalises the observation frame the
analyses accept.
"""
