"""Opioid equivalence (MED) and the opioid plan around a ketamine infusion.

Tables of factors are data (:mod:`.tables`), a regimen is what the clinician writes
(:mod:`.regimen`), :mod:`.calculator` gives the 24-hour oral morphine equivalent and
:mod:`.plan` the conversion to one species, the reduction schedule and the timeline.
"""
