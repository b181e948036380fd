"""THE access matrix: for every URL name of the URLconf, who gets what (GET and POST).

Read a row as: `get=` / `post=` give each actor's expected answer — LOGIN (302 to the login
page), REDIRECT (302 elsewhere: done, or "refused, here is why" back to the object's page),
or a status code; `writers=` the actors whose POST may change data (for everyone else the
POST must leave every table of the project and the `watch`ed rows exactly as they were, even
when it answers 200 or 302). Every object belongs to hospital A or county 1 (world.py).

Shorthands (engine.py): E(default, actor=...) — every signed-in actor `default`, anonymous
LOGIN unless named; only(ok, actors) — `actors` ok, other signed-in actors 403 (a role
refusal); scoped(ok) — who sees hospital A (its officer, county-1 and city bureau, county-1
administrator) ok, the officer of B and the county-2 bureau 404.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.dates import today

from .engine import (
    AD,
    AU,
    B1,
    B2,
    BC,
    LOGIN,
    OA,
    OB,
    REDIRECT,
    SA,
    SIGNED_IN,
    Case,
    E,
    only,
    scoped,
)

# URL names left out of the matrix, and why.
EXCLUDED = {
    "set_language": "Django's language switch: no data, no login needed; tested in "
    "tests/core/test_language.py",
    "javascript-catalog": "Django's JavaScript translation catalogue: static text, no login needed",
}
EXCLUDED_NAMESPACES = {
    "admin": "Django admin has its own is_staff checks; test_admin_refuses_non_staff covers it",
    "api": "the REST API answers tokens, not page logins: tests/api/test_api_matrix.py runs "
    "every API route for these actors with read and write tokens (401/403/404 as here)",
}

OK = 200
NF = 404
NA = 405  # method not allowed
ADMIN_ONLY = frozenset({AD})
# Accounts are the security administrator's (ADMIN_DUTIES_SEPARATED, on by default).
USER_MANAGERS = frozenset({SA})
BUREAU_DECIDES = frozenset({B1, BC})  # bureau staff over county 1 (the hazards' deciders)
REVIEWERS = frozenset({B1, BC, AD})  # 4+N review: bureau side over hospital A
ALL_405 = E(NA)
ANSWER = {
    "result": "pass",
    "note": "良好",
    "hazard_category": "fire",
    "hazard_risk_level": "general",
    "section": "1",
}


def pk(key, name="pk"):
    return lambda w: {name: getattr(w, key).pk}


def user_pk(actor):
    return lambda w: {"pk": w.users[actor].pk}


def new_officer(hospital):
    return {
        "username": "m_new_officer",
        "full_name": "新安全员",
        "role": "officer",
        "hospital": hospital.pk,
        "phone": "13700000000",
        "email": "new@example.org",
        "password1": "Matrix-Pass-2026!",
        "password2": "Matrix-Pass-2026!",
    }


def report_request(hospital=None):
    def data(w):
        values = {
            "report_type": "hazard_ledger",
            "region": w.county1.pk,
            "period_kind": "year",
            "year": str(today().year),
        }
        if hospital:
            values["hospital"] = getattr(w, hospital).pk
        return values

    return data


def _day(offset=0):
    return (today() + dt.timedelta(days=offset)).isoformat()


def _statutory_kwargs(w):
    from reports.choices import PeriodKind
    from reports.periods import Period

    period = Period.containing(PeriodKind.QUARTER, today()).previous()
    return {"report_type": "hazard_stats_quarter", "period_key": period.key}


def _narrative_query(w):
    from reports.choices import PeriodKind
    from reports.periods import Period

    period = Period.containing(PeriodKind.MONTH, today()).previous()
    return f"type=progress&period={period.key}&region={w.county1.pk}"


def _identity(w, key):
    """A WeCom identity bound to `key` (an actor or a world object), made on first use and
    kept in the world for `watch`."""
    from sso.models import ExternalIdentity  # local: the module loads before Django is set up

    name = f"identity_{key}"
    # Each test rolls its own rows back: make it again when an earlier test's is gone.
    if name not in w.objects or not ExternalIdentity.objects.filter(pk=w.objects[name].pk).exists():
        user = w.users[key] if key in w.users else w.objects[key]
        w.objects[name] = ExternalIdentity.objects.create(
            user=user, provider="wecom", subject=f"m-{key}"
        )
    return w.objects[name]


def both(row):
    return {"get": row, "post": row}


CASES: list[Case] = [
    # --- core -------------------------------------------------------------------------------
    Case("home", **both(E(OK))),
    Case("my_work", **both(E(OK))),
    Case("healthz", **both(E(OK, anon=OK))),
    Case(
        "service_worker",
        get=E(OK, anon=OK),
        post=E(NA, anon=NA),
        note="the offline app's service worker (static/sw.js) at the root: public, no data",
    ),
    Case(
        "csp_report",
        get=E(NA, anon=NA),
        post=E(400, anon=400),  # a form post is not a violation report; nothing is stored
        note="browsers post CSP violation reports here; anonymous and CSRF-exempt, logs only",
    ),
    Case("login", **both(E(OK, anon=OK))),
    Case(
        "logout",
        get=E(NA),
        post=E(LOGIN),
        writers=SIGNED_IN,
        note="logging out deletes one's own session and leads to the login page",
    ),
    Case("password_change", **both(E(OK))),
    Case("password_change_done", get=E(OK), post=E(NA)),
    # --- accounts ---------------------------------------------------------------------------
    Case("accounts:session_keepalive", get=E(NA), post=E(204)),
    Case("accounts:user_list", **both(only(OK, USER_MANAGERS))),
    Case(
        "accounts:user_create",
        data=lambda w: new_officer(w.hospital_a),
        get=only(OK, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
    ),
    Case(
        "accounts:user_create",
        variant="an officer for county 2's hospital",
        data=lambda w: new_officer(w.hospital_c),
        **both(only(OK, USER_MANAGERS)),
        note="hospital C is not a choice for county 1's security administrator: the form says so",
    ),
    Case(
        "accounts:user_edit",
        kwargs=user_pk(OA),
        **both(only(OK, USER_MANAGERS)),
        writers=USER_MANAGERS,
        watch=(OA,),
    ),
    Case(
        "accounts:user_edit",
        variant="city bureau's account",
        kwargs=user_pk(BC),
        **both(only(NF, USER_MANAGERS)),
        watch=(BC,),
    ),
    Case(
        "accounts:user_toggle_active",
        kwargs=user_pk(OA),
        data={"active": "0"},
        get=only(NA, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=(OA,),
    ),
    Case(
        "accounts:user_toggle_active",
        variant="other county's officer",
        kwargs=lambda w: {"pk": w.officer_c.pk},
        data={"active": "0"},
        get=only(NA, USER_MANAGERS),
        post=only(NF, USER_MANAGERS),
        watch=("officer_c",),
    ),
    Case(
        "accounts:user_unlock",
        kwargs=user_pk(OA),
        get=only(NA, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=(OA,),
    ),
    Case(
        "accounts:user_password",
        kwargs=user_pk(OA),
        data={"new_password1": "Matrix-Pass-2026!", "new_password2": "Matrix-Pass-2026!"},
        get=only(OK, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=(OA,),
    ),
    Case(
        "accounts:user_two_factor_reset",
        kwargs=user_pk(OA),
        get=only(NA, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=(OA,),
        note="deletes the user's django-otp devices (tables outside the project's apps)",
    ),
    Case(
        "accounts:user_two_factor_reset",
        variant="other county's officer",
        kwargs=lambda w: {"pk": w.officer_c.pk},
        get=only(NA, USER_MANAGERS),
        post=only(NF, USER_MANAGERS),
        watch=("officer_c",),
    ),
    Case("accounts:security", **both(E(OK)), note="one's own login security page"),
    Case(
        "accounts:two_factor_verify",
        **both(E(REDIRECT)),
        note="the code step of the login; without an authenticator it sends the user on",
    ),
    Case(
        "accounts:two_factor_setup",
        **both(E(OK)),
        note="set up one's own authenticator (the key waits in the session until confirmed)",
    ),
    # --- sso: the providers' URLs need no login and answer 404 while a provider is not
    # configured, which is the default (tests/sso/ cover them switched on) ---------------------
    *[
        Case(
            f"sso:{name}",
            **both(E(NF, anon=NF)),
            note="single sign-on URL, login not required; 404 while its provider is off",
        )
        for name in (
            "oidc_authenticate",
            "oidc_callback",
            "cas_login",
            "wecom_login",
            "wecom_callback",
            "dingtalk_login",
            "dingtalk_callback",
        )
    ],
    Case(
        "sso:wecom_bind",
        get=E(NF),
        post=E(NA),
        note="binding one's own WeCom account: a link (GET), 404 while WeCom is off",
    ),
    Case(
        "sso:dingtalk_bind",
        get=E(NF),
        post=E(NA),
        note="binding one's own DingTalk account: a link (GET), 404 while DingTalk is off",
    ),
    Case("sso:my_identities", get=E(OK), post=E(NA)),
    Case(
        "sso:identity_add",
        kwargs=user_pk(OA),
        data={"provider": "wecom", "subject": "m-oa-wecom"},
        get=only(NA, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=(OA,),
    ),
    Case(
        "sso:identity_add",
        variant="other county's officer",
        kwargs=lambda w: {"pk": w.officer_c.pk},
        data={"provider": "wecom", "subject": "m-oc-wecom"},
        get=only(NA, USER_MANAGERS),
        post=only(NF, USER_MANAGERS),
        watch=("officer_c",),
    ),
    Case(
        "sso:identity_remove",
        kwargs=lambda w: {"pk": _identity(w, OA).pk},
        get=only(NA, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
        watch=("identity_officer_a",),
    ),
    Case(
        "sso:identity_remove",
        variant="other county officer's identity",
        kwargs=lambda w: {"pk": _identity(w, "officer_c").pk},
        get=only(NA, USER_MANAGERS),
        post=only(NF, USER_MANAGERS),
        watch=("identity_officer_c",),
    ),
    # --- hospitals --------------------------------------------------------------------------
    Case("hospitals:list", **both(E(OK))),
    Case("hospitals:search", get=E(OK), post=E(NA)),
    Case("hospitals:export", **both(E(OK))),
    Case("hospitals:create", **both(only(OK, ADMIN_ONLY)), writers=ADMIN_ONLY),
    Case("hospitals:detail", kwargs=pk("hospital_a"), **both(scoped(OK)), watch=("hospital_a",)),
    Case(
        "hospitals:detail",
        variant="county 2's hospital",
        kwargs=pk("hospital_c"),
        **both(only(OK, {B2, BC}, others=NF)),
    ),
    Case(
        "hospitals:edit",
        kwargs=pk("hospital_a"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("hospital_a",),
    ),
    Case(
        "hospitals:edit",
        variant="county 2's hospital",
        kwargs=pk("hospital_c"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("hospital_c",),
    ),
    Case(
        "hospitals:contacts",
        kwargs=pk("hospital_a"),
        data={
            "security_head": "王五",
            "security_head_phone": "13800000001",
            "contact_person": "赵六",
            "contact_phone": "13900000002",
        },
        get=only(OK, {OA, AD}, officer_b=NF),
        post=only(REDIRECT, {OA, AD}, officer_b=NF),
        writers=frozenset({OA, AD}),
        watch=("hospital_a",),
    ),
    Case("hospitals:import", **both(only(OK, ADMIN_ONLY)), writers=ADMIN_ONLY),
    Case("hospitals:import_template", **both(only(OK, ADMIN_ONLY))),
    Case("hospitals:import_detail", kwargs=pk("import"), **both(only(OK, ADMIN_ONLY))),
    Case(
        "hospitals:import_detail",
        variant="another administrator's import",
        kwargs=pk("import_other"),
        **both(only(NF, ADMIN_ONLY)),
    ),
    Case("hospitals:import_errors", kwargs=pk("import"), **both(only(OK, ADMIN_ONLY))),
    Case("hospitals:region_list", **both(only(OK, ADMIN_ONLY))),
    Case("hospitals:region_create", **both(only(OK, ADMIN_ONLY)), writers=ADMIN_ONLY),
    Case(
        "hospitals:region_edit",
        kwargs=pk("county1"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("county1",),
    ),
    Case(
        "hospitals:region_edit",
        variant="the city above",
        kwargs=pk("city"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("city",),
    ),
    Case("hospitals:department_list", **both(only(OK, ADMIN_ONLY))),
    Case("hospitals:department_create", **both(only(OK, ADMIN_ONLY)), writers=ADMIN_ONLY),
    Case(
        "hospitals:department_edit",
        kwargs=pk("department"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("department",),
    ),
    # --- inspections ------------------------------------------------------------------------
    # A submitted inspection is seen by everyone who sees the hospital; a draft only by the
    # officers of the hospital that started it (InspectionQuerySet.visible_to), so the bureau
    # gets 404 on A's draft. Who may change a visible inspection is services.action_refusal:
    # pages redirect to the detail page saying why (REDIRECT), nothing changes.
    Case("inspections:list", **both(E(OK))),
    Case("inspections:export", **both(E(OK))),
    Case("inspections:calendar", **both(E(OK))),
    Case(
        "inspections:calendar",
        variant="county 2 asked for by id",
        query=lambda w: f"region={w.county2.pk}",
        **both(E(OK, bureau_1=NF, admin_1=NF)),
        note="officers' calendars are their hospital's whatever they ask",
    ),
    Case(
        "inspections:assignments_generate",
        get=ALL_405,
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
    ),
    Case(
        "inspections:assignment_start",
        kwargs=pk("assignment"),
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("assignment",),
        note="an assignment is reachable only by whoever carries it out (actionable_by)",
    ),
    Case(
        "inspections:new",
        data=lambda w: {
            "kind": "spot_check",
            "hospital": w.hospital_a.pk,
            "template": w.seed_template.pk,
            "inspected_on": _day(),
            "location": "门诊楼",
            "participants": "张三",
        },
        get=E(OK),
        post=E(OK, bureau_1=REDIRECT, bureau_city=REDIRECT, admin_1=REDIRECT),
        writers=frozenset({B1, BC, AD}),
        note="a spot check of A: bureau side over A (administrators included, as "
        "inspections.services.kinds_for says); officers may not pick the kind, county 2 "
        "may not pick A (200 with the errors)",
    ),
    Case("inspections:detail", kwargs=pk("inspection"), **both(scoped(OK))),
    Case("inspections:record", kwargs=pk("draft"), **both(only(OK, {OA}, others=NF))),
    Case(
        "inspections:header",
        kwargs=pk("draft"),
        data={"location": "门诊楼"},
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft",),
    ),
    Case(
        "inspections:answer_save",
        kwargs=lambda w: {"pk": w.draft.pk, "answer_pk": w.draft_answer.pk},
        data=ANSWER,
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft", "draft_answer"),
    ),
    Case(
        "inspections:answer_save",
        variant="submitted inspection",
        kwargs=lambda w: {"pk": w.inspection.pk, "answer_pk": w.answer.pk},
        data=ANSWER,
        get=ALL_405,
        post=scoped(REDIRECT),
        watch=("inspection", "answer"),
    ),
    Case(
        "inspections:answer_photo_upload",
        kwargs=lambda w: {"pk": w.draft.pk, "answer_pk": w.draft_answer.pk},
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
    ),
    Case(
        "inspections:answer_amend",
        kwargs=lambda w: {"pk": w.inspection.pk, "answer_pk": w.answer.pk},
        data={"reason": "记录笔误", "result": "pass", "note": "更正备注"},
        get=scoped(REDIRECT, officer_a=OK),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("inspection", "answer"),
    ),
    Case(
        "inspections:section_pass",
        kwargs=lambda w: {"pk": w.draft.pk, "section_pk": w.draft_section.pk},
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft_answer",),
    ),
    Case(
        "inspections:pass_remaining",
        kwargs=pk("draft"),
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft_answer",),
    ),
    Case(
        "inspections:photo_delete",
        kwargs=lambda w: {"pk": w.draft.pk, "photo_pk": w.draft_photo.pk},
        data={"confirm": "1"},
        get=only(OK, {OA}, others=NF),
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft_photo",),
    ),
    Case("inspections:photo", kwargs=lambda w: {"photo_pk": w.photo.pk}, **both(scoped(OK))),
    Case(
        "inspections:photo",
        variant="photo of a draft",
        kwargs=lambda w: {"photo_pk": w.draft_photo.pk},
        **both(only(OK, {OA}, others=NF)),
    ),
    Case("inspections:review", kwargs=pk("draft"), **both(only(OK, {OA}, others=NF))),
    Case(
        "inspections:submit",
        kwargs=pk("draft"),
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft",),
    ),
    Case(
        "inspections:delete",
        kwargs=pk("draft"),
        data={"confirm": "1"},
        get=only(OK, {OA}, others=NF),
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("draft",),
    ),
    Case(
        "inspections:delete",
        variant="submitted inspection",
        kwargs=pk("inspection"),
        data={"confirm": "1"},
        **both(scoped(REDIRECT)),
        watch=("inspection",),
    ),
    Case(
        "inspections:header_amend",
        kwargs=pk("inspection"),
        data={
            "reason": "记录笔误",
            "summary": "更正",
            "location": "门诊楼",
            "participants": "张三",
        },
        get=scoped(REDIRECT, officer_a=OK),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("inspection",),
    ),
    # Offline inspections (inspections/offline.py): the app shell and its JSON are the
    # person's own; the checklist of a draft is its officers' (drafts are invisible to others,
    # 404); the sync takes JSON only, so the matrix's form post is refused as bad input (400)
    # by whoever sees the inspection, and nothing changes.
    Case("inspections:offline", get=E(OK), post=E(NA)),
    Case("inspections:offline_fallback", get=E(OK, anon=OK), post=E(NA, anon=NA)),
    Case("inspections:offline_assignments", get=E(OK), post=E(NA)),
    Case(
        "inspections:offline_start",
        kwargs=pk("assignment"),
        get=ALL_405,
        post=only(OK, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("assignment",),
        note="as assignment_start: only whoever carries the assignment out (actionable_by)",
    ),
    Case(
        "inspections:offline_assignment_sync",
        kwargs=pk("assignment"),
        get=ALL_405,
        post=only(400, {OA}, others=NF),
        watch=("assignment",),
        note="an inspection started offline: only whoever carries the assignment out; the "
        "form post is not JSON, so nothing is started",
    ),
    Case(
        "inspections:offline_data",
        kwargs=pk("draft"),
        get=only(OK, {OA}, others=NF),
        post=ALL_405,
    ),
    Case(
        "inspections:offline_data",
        variant="submitted inspection",
        kwargs=pk("inspection"),
        get=scoped(OK),
        post=ALL_405,
    ),
    Case(
        "inspections:offline_sync",
        kwargs=pk("draft"),
        get=ALL_405,
        post=only(400, {OA}, others=NF),
        watch=("draft", "draft_answer"),
    ),
    Case(
        "inspections:offline_sync",
        variant="submitted inspection",
        kwargs=pk("inspection"),
        get=ALL_405,
        post=scoped(400),
        watch=("inspection", "answer"),
    ),
    # Checklist templates: global and inherited versions are read by all; county 1's own
    # version is not seen from county 2. Only administrators edit, their region's versions.
    Case("inspections:template_list", **both(E(OK))),
    Case("inspections:template_detail", kwargs=pk("seed_template"), **both(E(OK))),
    Case(
        "inspections:template_detail",
        variant="county 1's version",
        kwargs=pk("template"),
        **both(E(OK, bureau_2=NF)),
    ),
    Case(
        "inspections:template_copy",
        kwargs=pk("seed_template"),
        get=ALL_405,
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
    ),
    Case(
        "inspections:template_toggle",
        kwargs=pk("template"),
        data={"active": "1"},
        get=ALL_405,
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("template",),
    ),
    Case(
        "inspections:template_toggle",
        variant="global version",
        kwargs=pk("seed_template"),
        data={"active": "0"},
        get=ALL_405,
        post=only(NF, ADMIN_ONLY),
        watch=("seed_template",),
    ),
    Case(
        "inspections:template_edit",
        kwargs=pk("template"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("template",),
    ),
    Case(
        "inspections:template_edit",
        variant="global version",
        kwargs=pk("seed_template"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("seed_template",),
    ),
    Case(
        "inspections:template_delete",
        kwargs=pk("template"),
        data={"confirm": "1"},
        get=only(OK, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("template",),
    ),
    Case(
        "inspections:section_new",
        kwargs=pk("template"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
    ),
    Case(
        "inspections:section_edit",
        kwargs=lambda w: {"pk": w.template.pk, "section_pk": w.template_section.pk},
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("template_section",),
    ),
    Case(
        "inspections:section_delete",
        kwargs=lambda w: {"pk": w.template.pk, "section_pk": w.template_section.pk},
        data={"confirm": "1"},
        get=only(OK, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("template_section",),
    ),
    Case(
        "inspections:item_new",
        kwargs=pk("template"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
    ),
    Case(
        "inspections:item_edit",
        kwargs=lambda w: {"pk": w.template.pk, "item_pk": w.template_item.pk},
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("template_item",),
    ),
    Case(
        "inspections:item_delete",
        kwargs=lambda w: {"pk": w.template.pk, "item_pk": w.template_item.pk},
        data={"confirm": "1"},
        get=only(OK, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("template_item",),
    ),
    # --- hazards ----------------------------------------------------------------------------
    # `hazard`: A's own 一般隐患, 待整改, with a pending extension request; `major`: a 重大隐患
    # found by the county bureau, 待验收. The hospital side acts for A (its officer); the
    # bureau side decides (county-1 and city bureau staff). Administrators are not bureau
    # staff for hazards: they see, they do not decide.
    Case("hazards:list", **both(E(OK))),
    Case("hazards:todo", **both(E(OK))),
    Case("hazards:overdue", **both(E(OK))),
    Case("hazards:due", **both(E(OK))),
    Case("hazards:ledger", kwargs={"view": "all"}, **both(E(OK))),
    Case(
        "hazards:bulk",
        data=lambda w: {
            "ids": [w.hazard.pk],
            "action": "set_deadline",
            "deadline": _day(25),
            "note": "统一期限",
            "confirmed": "1",
        },
        get=ALL_405,
        post=only(REDIRECT, {B1, B2, BC}),
        writers=BUREAU_DECIDES,
        watch=("hazard",),
        note="county 2 is answered with the list and '1 hazard not in your region'",
    ),
    Case(
        "hazards:bulk",
        variant="county 2's hazard",
        data=lambda w: {
            "ids": [w.hazard_c.pk],
            "action": "set_deadline",
            "deadline": _day(25),
            "note": "统一期限",
            "confirmed": "1",
        },
        get=ALL_405,
        post=only(REDIRECT, {B1, B2, BC}),
        writers=frozenset({B2, BC}),
        watch=("hazard_c",),
        note="county 1 is told the hazard is not in its region",
    ),
    Case(
        "hazards:create",
        data=lambda w: {
            "hospital": w.hospital_a.pk,
            "source": "other",
            "category": "fire",
            "risk_level": "general",
            "location": "门诊楼",
            "found_on": _day(),
            "description": "灭火器过期",
            "deadline": _day(10),
        },
        get=only(OK, {OA, OB, B1, B2, BC}),
        post=only(OK, {OB, B2}, officer_a=REDIRECT, bureau_1=REDIRECT, bureau_city=REDIRECT),
        writers=frozenset({OA, B1, BC}),
        note="another hospital / region is not a choice of the form: 200 with the error",
    ),
    Case("hazards:detail", kwargs=pk("hazard"), **both(scoped(OK)), watch=("hazard",)),
    Case(
        "hazards:edit",
        kwargs=pk("hazard"),
        data={"location": "改过的部位"},
        **both(scoped(REDIRECT, officer_a=OK)),
        watch=("hazard",),
        note="an officer's empty/partial form is re-shown (200)",
    ),
    Case("hazards:dossier", kwargs=pk("major"), **both(scoped(OK))),
    Case("hazards:dossier_xlsx", kwargs=pk("major"), **both(scoped(OK))),
    Case("hazards:dossier_pdf", kwargs=pk("major"), **both(scoped(OK))),
    Case(
        "hazards:evidence",
        kwargs=lambda w: {"pk": w.hazard.pk, "evidence_pk": w.evidence.pk},
        **both(scoped(OK)),
    ),
    Case(
        "hazards:extension_decide",
        kwargs=lambda w: {"pk": w.hazard.pk, "extension_pk": w.extension.pk},
        data={"decision": "approve", "note": "同意"},
        get=scoped(REDIRECT, bureau_1=OK, bureau_city=OK),
        post=scoped(OK, bureau_1=REDIRECT, bureau_city=REDIRECT),
        writers=BUREAU_DECIDES,
        watch=("hazard", "extension"),
    ),
    Case(
        "hazards:action",
        variant="start",
        kwargs=lambda w: {"pk": w.hazard.pk, "action": "start"},
        data={
            "responsible_department": "后勤科",
            "responsible_person": "李四",
            "rectification_measures": "清理",
            "interim_measures": "值守",
            "expected_status": "pending",
        },
        get=scoped(REDIRECT, officer_a=OK),
        post=scoped(OK, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("hazard",),
    ),
    Case(
        "hazards:action",
        variant="deadline",
        kwargs=lambda w: {"pk": w.hazard.pk, "action": "deadline"},
        data=lambda w: {"deadline": _day(15), "note": "调整", "expected_status": "pending"},
        get=scoped(REDIRECT, bureau_1=OK, bureau_city=OK),
        post=scoped(OK, bureau_1=REDIRECT, bureau_city=REDIRECT),
        writers=BUREAU_DECIDES,
        watch=("hazard",),
    ),
    Case(
        "hazards:action",
        variant="accept (hospital accepts its own)",
        kwargs=lambda w: {"pk": w.submitted_hazard.pk, "action": "accept"},
        data={"note": "验收通过", "expected_status": "pending_acceptance"},
        get=scoped(REDIRECT, officer_a=OK),
        post=scoped(OK, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("submitted_hazard",),
        note="a self-found 一般隐患 is accepted by its hospital, not by the bureau",
    ),
    Case(
        "hazards:action",
        variant="recheck (bureau, 重大隐患)",
        kwargs=lambda w: {"pk": w.major.pk, "action": "recheck"},
        data={"note": "复查合格", "expected_status": "pending_acceptance"},
        get=scoped(REDIRECT, bureau_1=OK, bureau_city=OK),
        post=scoped(OK, bureau_1=REDIRECT, bureau_city=REDIRECT),
        writers=BUREAU_DECIDES,
        watch=("major",),
    ),
    Case(
        "hazards:action",
        variant="unknown action",
        kwargs=lambda w: {"pk": w.hazard.pk, "action": "nonsense"},
        **both(E(NF)),
    ),
    # --- training and responsibility letters (training) -----------------------------------------
    # Lists, exports and the yearly figures are scoped lists: everyone signed in gets their own
    # rows. An officer records for their own hospital (B's officer too, for B); a record of A is
    # changed only by A's officer (others who see it: 403, others: 404).
    Case("training:index", **both(E(REDIRECT))),
    Case("training:sessions", **both(E(OK))),
    Case("training:sessions_export", **both(E(OK))),
    Case(
        "training:session_new",
        data=lambda w: {
            "held_on": str(today() - dt.timedelta(days=1)),
            "kind": "new_staff",
            "title": "新进员工岗前培训",
            "trainer": "林科长",
            "hours": "4",
            "attendee_count": "6",
        },
        get=only(OK, {OA, OB}),
        post=only(REDIRECT, {OA, OB}),
        writers=frozenset({OA, OB}),
    ),
    Case("training:session", kwargs=pk("training_session"), **both(scoped(OK))),
    Case(
        "training:session_edit",
        kwargs=pk("training_session"),
        data=lambda w: {
            "held_on": str(today() - dt.timedelta(days=2)),
            "kind": "all_staff",
            "title": "全员安全生产培训(改)",
            "trainer": "陈教官",
            "hours": "2",
            "attendee_count": "101",
        },
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("training_session",),
    ),
    Case("training:file", kwargs=pk("training_file"), **both(scoped(OK))),
    Case("training:certificates", **both(E(OK))),
    Case("training:certificates_export", **both(E(OK))),
    Case(
        "training:certificate_new",
        data=lambda w: {
            "holder": "李明",
            "cert_type": "boiler",
            "number": "G-0002",
            "valid_until": str(today() + dt.timedelta(days=300)),
        },
        get=only(OK, {OA, OB}),
        post=only(REDIRECT, {OA, OB}),
        writers=frozenset({OA, OB}),
    ),
    Case("training:certificate", kwargs=pk("certificate"), **both(scoped(OK))),
    Case(
        "training:certificate_edit",
        kwargs=pk("certificate"),
        data=lambda w: {
            "holder": "张建华",
            "cert_type": "power",
            "number": "T-0001",
            "valid_until": str(today() + dt.timedelta(days=900)),
        },
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("certificate",),
    ),
    Case("training:figures", **both(E(OK))),
    Case(
        "training:year_edit",
        kwargs=lambda w: {"pk": w.hospital_a.pk, "year": today().year},
        data={"new_staff": "10", "special_posts": "5"},
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
    ),
    Case("training:letters", **both(E(OK))),
    Case("training:letters_export", **both(E(OK))),
    Case(
        "training:letter_new",
        data=lambda w: {
            "year": str(today().year),
            "level": "bureau_hospital",
            "party_a": "晋江市卫生健康局",
            "party_b": "医院",
            "signed_on": str(today()),
        },
        get=only(OK, {OA, OB}),
        post=only(OK, {OA, OB}),
        note="a new letter needs its signed scan: without one the form is shown again with "
        "the reason and nothing is saved",
    ),
    Case("training:letter", kwargs=pk("letter"), **both(scoped(OK))),
    Case(
        "training:letter_edit",
        kwargs=pk("letter"),
        data=lambda w: {
            "year": str(today().year),
            "level": "hospital_department",
            "party_a": "晋江市医院",
            "party_b": "后勤保障部(改)",
            "signed_on": str(today()),
        },
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("letter",),
    ),
    Case("training:scan", kwargs=pk("letter_scan"), **both(scoped(OK))),
    Case("training:letters_missing", **both(only(OK, {B1, B2, BC, AD}))),
    # --- 4+N (security) ----------------------------------------------------------------------
    # A's officer keeps A's records; the bureau side (bureau staff and administrators who see
    # A) reviews checklist items. Editing pages of another role answer 403, of another
    # hospital 404; item actions are POST forms that redirect to the item page, saying why
    # when refused.
    Case("security:index", **both(E(REDIRECT))),
    Case("security:overview", **both(only(OK, {B1, B2, BC, AD}))),
    Case("security:plans", **both(only(OK, {B1, B2, BC, AD}))),
    Case(
        "security:plan_edit",
        kwargs=lambda w: {"region_pk": w.county1.pk},
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
    ),
    Case(
        "security:plan_edit",
        variant="the city above",
        kwargs=lambda w: {"region_pk": w.city.pk},
        **both(only(NF, ADMIN_ONLY)),
        watch=("plan",),
    ),
    Case(
        "security:plan_versions",
        kwargs=lambda w: {"region_pk": w.county1.pk},
        get={**only(OK, {B1, BC, AD}), B2: NF},
        post={**E(403), B2: NF},
        note="county 1 follows the city's plan: its page lists the city's versions, and only "
        "a plan's own region may add one (the city's administrator)",
    ),
    Case("security:hospital", kwargs=pk("hospital_a"), **both(scoped(OK))),
    Case(
        "security:custom_item_new",
        kwargs=pk("hospital_a"),
        data={"name": "门禁系统"},
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
    ),
    Case(
        "security:guards",
        kwargs=pk("hospital_a"),
        data={"certified_guards": "1", "uncertified_guards": "0"},
        get=scoped(OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("profile",),
    ),
    Case(
        "security:facilities",
        kwargs=pk("hospital_a"),
        get=scoped(OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("profile",),
        note="every field is a tick box or a count: an empty form is valid",
    ),
    Case("security:alarm_drills", kwargs=pk("hospital_a"), **both(scoped(OK))),
    Case("security:drills", kwargs=pk("hospital_a"), **both(scoped(OK))),
    Case(
        "security:reports",
        kwargs=pk("hospital_a"),
        get=scoped(OK),
        post=scoped(403, officer_a=OK),
        writers=frozenset({OA}),
    ),
    Case(
        "security:record_new",
        kwargs=lambda w: {"pk": w.hospital_a.pk, "kind": "alarm-point"},
        data={"location": "急诊科分诊台", "networked": "on"},
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
    ),
    Case(
        "security:record_edit",
        kwargs=lambda w: {"kind": "post", "record_pk": w.guard_post.pk},
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=OK),
        writers=frozenset({OA}),
        watch=("guard_post",),
    ),
    Case(
        "security:record_delete",
        kwargs=lambda w: {"kind": "drill", "record_pk": w.drill.pk},
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("drill",),
    ),
    Case("security:item", kwargs=pk("item"), **both(scoped(OK))),
    Case(
        "security:item_progress",
        kwargs=pk("item"),
        data={"status": "in_progress", "note": "推进中"},
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("item",),
    ),
    Case(
        "security:item_submit",
        kwargs=pk("item"),
        data={"note": "已达标"},
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("item",),
    ),
    Case(
        "security:item_confirm",
        kwargs=pk("item"),
        data={"met_on": _day(), "note": "确认"},
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=REVIEWERS,
        watch=("item",),
    ),
    Case(
        "security:item_send_back",
        kwargs=pk("item"),
        data={"note": "材料不全"},
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=REVIEWERS,
        watch=("item",),
    ),
    Case(
        "security:item_evidence",
        kwargs=pk("item"),
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("item",),
    ),
    Case(
        "security:item_edit",
        kwargs=pk("custom_item"),
        data={"name": "电子巡更(改)"},
        get=scoped(REDIRECT),
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("custom_item",),
    ),
    Case(
        "security:item_delete",
        kwargs=pk("custom_item"),
        get=ALL_405,
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("custom_item",),
    ),
    Case("security:evidence", kwargs=pk("item_evidence"), **both(scoped(OK))),
    Case(
        "security:evidence_delete",
        kwargs=pk("item_evidence"),
        get=ALL_405,
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("item_evidence",),
    ),
    Case("security:drill", kwargs=pk("drill"), **both(scoped(OK))),
    Case(
        "security:finding_new",
        kwargs=pk("drill"),
        data={"description": "疏散通道不畅"},
        get=ALL_405,
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
    ),
    Case(
        "security:finding_raise",
        kwargs=pk("finding"),
        data={"risk_level": "general", "location": "门诊大厅", "deadline": _day(10)},
        get=ALL_405,
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("finding",),
    ),
    Case("security:report", kwargs=pk("report"), **both(scoped(OK))),
    Case(
        "security:report_submit",
        kwargs=pk("draft_report"),
        get=ALL_405,
        post=scoped(REDIRECT),
        writers=frozenset({OA}),
        watch=("draft_report",),
    ),
    Case("security:report_pdf", kwargs=pk("report"), **both(scoped(OK))),
    Case(
        "security:report_police_resend",
        kwargs=pk("report"),
        get=ALL_405,
        post=scoped(REDIRECT),
        writers=REVIEWERS,
        watch=("report",),
    ),
    # --- incidents and patrols (seed 003) ---------------------------------------------------
    # A's officer records A's incidents and patrols; the bureau side reads its region and
    # below. Recording pages answer 403 to those who see the record but may not write it.
    Case("incidents:incident_list", **both(E(OK))),
    Case("incidents:incident_export", **both(E(OK))),
    Case(
        "incidents:incident_new",
        data=lambda w: {
            "kind": "theft",
            "occurred_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "location": "住院部五楼",
            "description": "手机被盗",
            "handled_by": "保安 林建华",
        },
        get=E(403, officer_a=OK, officer_b=OK),
        post=E(403, officer_a=REDIRECT, officer_b=REDIRECT),
        writers=frozenset({OA, OB}),
        note="an officer records for their own hospital (B's officer records one for B)",
    ),
    Case("incidents:incident_detail", kwargs=pk("incident"), **both(scoped(OK))),
    Case(
        "incidents:incident_edit",
        kwargs=pk("incident"),
        data={
            "kind": "tout",
            "occurred_at": "2026-01-05T10:00",
            "location": "门诊大厅东侧",
            "description": "疑似医托拉客",
            "handled_by": "保安 陈志强",
        },
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("incident",),
    ),
    Case(
        "incidents:incident_attach",
        kwargs=pk("incident"),
        get=ALL_405,
        post=scoped(403, officer_a=REDIRECT),
        watch=("incident",),
        note="an empty upload is refused with a message; nothing is stored",
    ),
    Case("incidents:attachment", kwargs=pk("incident_attachment"), **both(scoped(OK))),
    Case("incidents:patrol_list", **both(E(OK))),
    Case("incidents:patrol_export", **both(E(OK))),
    Case("incidents:short_days", **both(E(OK))),
    Case(
        "incidents:patrol_targets",
        data=lambda w: {"starts_on": _day(), "daily_target": "5", "reason": "发热门诊高峰期"},
        get=E(OK),
        post=E(403, officer_a=REDIRECT, officer_b=REDIRECT),
        writers=frozenset({OA, OB}),
        note="everyone reads the targets in view; an officer sets their own hospital's",
    ),
    Case(
        "incidents:patrol_new",
        data=lambda w: {
            "patrolled_on": _day(),
            "started_at": "09:00",
            "route": "停车场—周界",
            "patroller": "王国伟",
        },
        get=E(403, officer_a=OK, officer_b=OK),
        post=E(403, officer_a=REDIRECT, officer_b=REDIRECT),
        writers=frozenset({OA, OB}),
        note="an officer records for their own hospital",
    ),
    Case("incidents:patrol_detail", kwargs=pk("patrol"), **both(scoped(OK))),
    Case(
        "incidents:patrol_edit",
        kwargs=pk("patrol"),
        data={
            "patrolled_on": _day(-1),
            "started_at": "10:00",
            "route": "住院部",
            "patroller": "陈志强",
        },
        get=scoped(403, officer_a=OK),
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("patrol",),
    ),
    Case(
        "incidents:patrol_raise",
        kwargs=pk("patrol"),
        data={"category": "security", "risk_level": "general", "location": "门诊安全出口"},
        get=ALL_405,
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        watch=("patrol",),
    ),
    # --- reports ----------------------------------------------------------------------------
    # `export_done` / `export`: hazard ledgers of hospital A requested by the county-1 bureau:
    # seen by the requester, the bureau above and A's officer (never B's, never county 2).
    Case(
        "reports:list",
        data=report_request("hospital_a"),
        get=E(OK),
        post=E(REDIRECT, officer_b=400, bureau_2=400),
        writers=frozenset({OA, B1, BC, AD}),
        note="A's ledger: a region or hospital the user does not see is a form error (400)",
    ),
    Case(
        "reports:list",
        variant="officer asks for all of county 1",
        data=report_request(),
        get=E(OK),
        post=E(REDIRECT, officer_a=400, officer_b=400, bureau_2=400),
        writers=frozenset({B1, BC, AD}),
        note="an officer's report is always of their own hospital",
    ),
    Case("reports:detail", kwargs=pk("export_done"), **both(scoped(OK))),
    Case(
        "reports:detail",
        variant="county 2's export",
        kwargs=pk("export_c"),
        **both(only(OK, {B2, BC}, others=NF)),
    ),
    Case("reports:status", kwargs=pk("export_done"), **both(scoped(OK))),
    Case("reports:download", kwargs=pk("export_done"), **both(scoped(OK))),
    Case(
        "reports:retry",
        kwargs=pk("export"),
        get=ALL_405,
        post=scoped(REDIRECT, officer_a=403),
        writers=REVIEWERS,
        watch=("export",),
        note="A's officer sees the bureau's export but may not re-run it",
    ),
    # 隐患排查治理情况统计表: every hospital's table of the last quarter; A's officer confirms A's.
    Case("reports:statutory", get=E(OK), post=ALL_405),
    Case(
        "reports:statutory",
        variant="county 1 named",
        query=lambda w: f"region={w.county1.pk}",
        get=E(OK, bureau_2=NF),
        post=ALL_405,
        note="a region the user does not see is 404",
    ),
    Case(
        "reports:statutory_download",
        kwargs=_statutory_kwargs,
        query=lambda w: f"hospital={w.hospital_a.pk}",
        get=scoped(OK),
        post=ALL_405,
    ),
    Case(
        "reports:statutory_download",
        variant="county 1's table",
        kwargs=_statutory_kwargs,
        query=lambda w: f"region={w.county1.pk}",
        get=only(OK, {B1, BC, AD}, bureau_2=NF),
        post=ALL_405,
        note="a region's table lists other hospitals: bureau side only",
    ),
    Case(
        "reports:statutory_confirm",
        kwargs=lambda w: {**_statutory_kwargs(w), "hospital_pk": w.hospital_a.pk},
        get=ALL_405,
        post=scoped(403, officer_a=REDIRECT),
        writers=frozenset({OA}),
        note="only the hospital's own officer confirms; the bureau reads it",
    ),
    Case(
        "reports:narrative",
        query=_narrative_query,
        data={"work_done": "本月开展检查 3 次", "problems": "无", "next_steps": "继续检查"},
        get=only(OK, {B1, BC, AD}, bureau_2=NF),
        post=only(REDIRECT, {B1, BC, AD}, bureau_2=NF),
        writers=frozenset({B1, BC, AD}),
        note="report texts are the bureau's; officers 403, another region 404",
    ),
    # --- notifications ----------------------------------------------------------------------
    # A notification is its recipient's only (A's officer here); robots and deliveries are
    # the administrators' (of the region).
    Case("notifications:list", **both(E(OK))),
    Case(
        "notifications:open",
        kwargs=pk("notification"),
        get=ALL_405,  # reading never writes: opening (which marks read) is a POST
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("notification",),
    ),
    Case(
        "notifications:mark_read",
        kwargs=pk("notification"),
        get=ALL_405,
        post=only(REDIRECT, {OA}, others=NF),
        writers=frozenset({OA}),
        watch=("notification",),
    ),
    Case(
        "notifications:mark_all_read",
        get=ALL_405,
        post=E(REDIRECT),
        writers=frozenset({OA}),
        watch=("notification",),
        note="each actor marks their own; A's officer's notification changes for them only",
    ),
    Case(
        "notifications:preferences",
        get=E(OK),
        post=E(REDIRECT),
        writers=SIGNED_IN,
        note="one's own preferences",
    ),
    Case("notifications:robot_list", **both(only(OK, ADMIN_ONLY))),
    Case("notifications:robot_create", **both(only(OK, ADMIN_ONLY)), writers=ADMIN_ONLY),
    Case(
        "notifications:robot_edit",
        kwargs=pk("robot"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("robot",),
    ),
    Case(
        "notifications:robot_edit",
        variant="county 2's robot",
        kwargs=pk("robot_c"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("robot_c",),
    ),
    Case(
        "notifications:robot_delete",
        kwargs=pk("robot"),
        get=only(NA, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("robot",),
    ),
    Case(
        "notifications:robot_test",
        kwargs=pk("robot"),
        get=only(NA, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        watch=("robot",),
    ),
    Case(
        "notifications:delivery_retry",
        variant="county 2's delivery",
        kwargs=pk("delivery_c"),
        get=only(NA, ADMIN_ONLY),
        post=only(NF, ADMIN_ONLY),
        watch=("delivery_c",),
    ),
    # Integration webhooks: the administrators' (of the owner's region).
    Case("notifications:webhook_list", **both(only(OK, ADMIN_ONLY))),
    Case(
        "notifications:webhook_create",
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        note="an empty POST re-renders the form with its errors",
    ),
    Case(
        "notifications:webhook_detail",
        kwargs=pk("webhook"),
        **both(only(OK, ADMIN_ONLY)),
        watch=("webhook",),
    ),
    Case(
        "notifications:webhook_detail",
        variant="county 2's webhook",
        kwargs=pk("webhook_c"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("webhook_c",),
    ),
    Case(
        "notifications:webhook_edit",
        kwargs=pk("webhook"),
        **both(only(OK, ADMIN_ONLY)),
        writers=ADMIN_ONLY,
        watch=("webhook",),
    ),
    Case(
        "notifications:webhook_edit",
        variant="county 2's webhook",
        kwargs=pk("webhook_c"),
        **both(only(NF, ADMIN_ONLY)),
        watch=("webhook_c",),
    ),
    *[
        Case(
            f"notifications:webhook_{action}",
            kwargs=pk("webhook"),
            get=only(NA, ADMIN_ONLY),
            post=only(REDIRECT, ADMIN_ONLY),
            writers=ADMIN_ONLY,
            watch=("webhook",),
        )
        for action in ("toggle", "rotate", "ping")
    ],
    *[
        Case(
            f"notifications:webhook_{action}",
            variant="county 2's webhook",
            kwargs=pk("webhook_c"),
            get=only(NA, ADMIN_ONLY),
            post=only(NF, ADMIN_ONLY),
            watch=("webhook_c",),
        )
        for action in ("toggle", "rotate", "ping")
    ],
    Case(
        "notifications:webhook_delivery_retry",
        kwargs=lambda w: {"pk": w.webhook.pk, "delivery_pk": w.webhook_delivery.pk},
        get=only(NA, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("webhook_delivery",),
    ),
    Case(
        "notifications:webhook_delivery_retry",
        variant="another webhook's delivery",
        kwargs=lambda w: {"pk": w.webhook_c.pk, "delivery_pk": w.webhook_delivery.pk},
        get=only(NA, ADMIN_ONLY),
        post=only(NF, ADMIN_ONLY),
        watch=("webhook_delivery",),
    ),
    Case("notifications:delivery_list", **both(only(OK, ADMIN_ONLY))),
    Case(
        "notifications:delivery_retry",
        kwargs=pk("delivery"),
        get=only(NA, ADMIN_ONLY),
        post=only(REDIRECT, ADMIN_ONLY),
        writers=ADMIN_ONLY,
        watch=("delivery",),
    ),
    # API tokens: everyone sees (and may revoke) their own; administrators issue them to the
    # accounts they manage and create integration accounts in their region.
    # API tokens: everyone sees (and may revoke) their own; the account managers (the security
    # administrator, duties being separated) issue them to the accounts they manage and create
    # integration accounts in their region. The audit administrator is fenced out.
    Case("api_tokens:list", **both(E(OK, **{SA: OK}))),
    Case(
        "api_tokens:create",
        data=lambda w: {
            "owner": w.users[OA].pk,
            "name": "医院信息平台",
            "scope": "read",
            "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
        },
        get=only(OK, USER_MANAGERS),
        post=only(OK, USER_MANAGERS),  # the page that shows the new token once
        writers=USER_MANAGERS,
    ),
    Case(
        "api_tokens:revoke",
        kwargs=pk("api_token"),
        get=E(NA, **{SA: NA}),
        # A's officer owns it, county 1's security administrator manages A's officer; to anyone
        # else the token does not exist.
        post=scoped(REDIRECT, {OA, SA}),
        writers=frozenset({OA, SA}),
        watch=("api_token",),
    ),
    Case(
        "api_tokens:integration_create",
        data=lambda w: {"name": "数据大屏", "role": "officer", "hospital": w.hospital_a.pk},
        get=only(OK, USER_MANAGERS),
        post=only(REDIRECT, USER_MANAGERS),
        writers=USER_MANAGERS,
    ),
    # --- audit log: the audit administrator only (region-scoped) ------------------------------
    Case("audit:list", get=only(OK, {AU}), post=only(NA, {AU})),
    Case(
        "audit:list",
        variant="filtered",
        query="action=login&start=2020-01-01&ip=10.",
        get=only(OK, {AU}),
        post=only(NA, {AU}),
    ),
    Case("audit:export", get=only(OK, {AU}), post=only(NA, {AU})),
    Case("audit:detail", kwargs=pk("audit_entry"), get=only(OK, {AU}), post=only(NA, {AU})),
    Case(
        "audit:detail",
        variant="county 2's entry",
        kwargs=pk("audit_entry_c"),
        get=only(NF, {AU}),
        post=only(NA, {AU}),
        note="an entry of a county-2 officer is outside county 1's audit administrator's scope",
    ),
]
