"""Date and number formats of the two languages (settings.FORMAT_MODULE_PATH).

Only what differs from Django's own formats is here. In Canada "12/01/2026" is 12 January to some
readers and 1 December to others, in both languages: short dates are ISO (2026-12-01) and long dates
write the month (1 December 2026, 1 décembre 2026), in pages, emails, PDFs and exports alike. Typed
dates are ISO (what the browsers' date pickers send) or, in English, with a written month.
"""
