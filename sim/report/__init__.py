"""Rendering only: text tables for the terminal, JSON for machines. No model logic here."""
