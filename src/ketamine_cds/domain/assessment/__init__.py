"""Patient assessment before an infusion: eligibility, contraindications, screening, evidence.

The pure core of SPEC section 2: the patient record (:mod:`.patient`), eligibility per protocol
(:mod:`.eligibility`), graded and cited contraindications (:mod:`.contraindications`), neuropathic
screening (:mod:`.screening`), the BPI and PSEQ (:mod:`.measures`), seed 003's evidence levels
(:mod:`.evidence`), and the whole assessment with its verdict per protocol (:mod:`.report`).
"""
