//! Forms: parsing submitted data, validating it field by field like Django's ModelForm, and rendering fields and errors as Django does.
