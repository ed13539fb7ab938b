"""The diary as records: the models, the diary CSV, the surgeon's report and FHIR."""
