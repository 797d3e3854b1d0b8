"""Searches by personal details never put them in an address.

A list's search form posts (with its CSRF token, as every form). The fields its form or FilterSet
declares personal (`personal_fields = (...)`: names, birth date, phone, email, a confirmation
number...) are kept in the session, one entry per page (the view's URL name, so two tabs on two
different lists never mix), and the view redirects to itself (POST → redirect → GET) with only the
shareable filters in the query string: status, dates of the record, location, service, sort. Every
GET of the page then reads the query string plus the session's personal criteria, so pagination,
sort, print and export links built from the query string carry nothing personal, and server logs,
browser history and Referer headers never see a name.

An old bookmark or link that still carries a personal field in its query string is moved into the
session and redirected to the clean address: the value leaves the address bar on the first hit.
The "Clear" button (a submit button named `_clear`, after the search button so that Enter in a
field still searches) forgets the page's criteria. A value the form refuses (a bad birth date) is
kept in the session like the others: the GET shows it again with the form's error.

Usage, under the capability check:

    @capability_required(roles.VIEW_CASES)
    @personal_search(CaseFilter)
    def case_list(request):
        case_filter = CaseFilter(request.search_data or None, ...)

and in the template: `<form method="post">{% include "portal/includes/search_marker.html" %}...`.
"""

from functools import wraps

from django.http import HttpResponseRedirect, QueryDict

SEARCH_MARK = "_search"
CLEAR_MARK = "_clear"
KEY_PREFIX = "personal_search:"
# Never carried from the posted form into the address: the token, the marks, and the page (a new
# search starts on page 1).
_NOT_CARRIED = {"csrfmiddlewaretoken", SEARCH_MARK, CLEAR_MARK, "page"}
# Bounds on what one page may keep in the session, whatever is posted.
MAX_VALUES = 20
MAX_LENGTH = 1000


def personal_fields_of(source):
    """The personal fields a form or FilterSet class declares, or `source` itself when it is a tuple."""
    if isinstance(source, (tuple, list)):
        return tuple(source)
    return tuple(getattr(source, "personal_fields", ()))


def _key(page):
    return KEY_PREFIX + page


def stored(request, page):
    """The personal criteria kept for `page` (a URL name): {field: [values]}."""
    value = request.session.get(_key(page))
    return value if isinstance(value, dict) else {}


def store(request, page, values):
    """Replace the page's personal criteria by `values` ({field: [values]}); empty ones are dropped."""
    kept = {}
    for field, items in values.items():
        items = [str(item)[:MAX_LENGTH] for item in list(items)[:MAX_VALUES] if str(item) != ""]
        if items:
            kept[field] = items
    if kept:
        request.session[_key(page)] = kept
    else:
        forget(request, page)


def forget(request, page):
    request.session.pop(_key(page), None)


def criteria(request, page, fields, base=None):
    """`base` (the query string by default) with the page's personal criteria from the session.

    Personal fields are never read from `base`: only the session decides them.
    """
    data = (request.GET if base is None else base).copy()
    for field in fields:
        data.pop(field, None)
    for field, values in stored(request, page).items():
        if field in fields:
            data.setlist(field, values)
    return data


def _redirect(request, query):
    query_string = query.urlencode()
    return HttpResponseRedirect(request.path + (f"?{query_string}" if query_string else ""))


def handle(request, page, fields, *, keep=()):
    """The redirect that stores a posted search, or moves personal values out of a GET; else None."""
    if request.method == "POST" and CLEAR_MARK in request.POST:
        forget(request, page)
        query = QueryDict(mutable=True)
        for name in keep:
            value = request.POST.get(name) or request.GET.get(name)
            if value:
                query[name] = value
        return _redirect(request, query)
    if request.method == "POST" and SEARCH_MARK in request.POST:
        store(request, page, {field: request.POST.getlist(field) for field in fields})
        query = QueryDict(mutable=True)
        for name, values in request.POST.lists():
            if name not in _NOT_CARRIED and name not in fields:
                query.setlist(name, values)
        # The chosen sort order survives a new search.
        if "sort" in request.GET and "sort" not in query:
            query["sort"] = request.GET["sort"]
        return _redirect(request, query)
    if request.method == "GET" and any(field in request.GET for field in fields):
        store(request, page, {field: request.GET.getlist(field) for field in fields})
        query = request.GET.copy()
        for field in fields:
            query.pop(field, None)
        return _redirect(request, query)
    return None


def personal_search(source, *, keep=()):
    """Decorate a list view whose search has personal fields (see the module's docstring).

    `source`: the form or FilterSet class declaring `personal_fields` (or the tuple of field names
    for a hand-written form). `keep`: query parameters the Clear button keeps (a tab). The view
    reads `request.search_data`: the query string and the personal criteria together.
    """
    fields = personal_fields_of(source)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            page = request.resolver_match.view_name
            response = handle(request, page, fields, keep=keep)
            if response is not None:
                return response
            request.search_data = criteria(request, page, fields)
            return view(request, *args, **kwargs)

        wrapper.personal_fields = fields
        return wrapper

    return decorator
