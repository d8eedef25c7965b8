"""Rendering for people: the timeline chart (SVG, PNG) and pages printed to PDF."""
