"""Demo adoptions: the CST's story of reuse, in every status of the workflow.

Pesaro's ELICAT and FISCAT modules taken up by Fano, Urbino and other comuni (some in production with versions,
dates, figures and a reuse story, some under way, one rejected, one withdrawn, one waiting for an answer, one
retired), and the CST's shared services — server virtualisation, website hosting — taken up by small comuni.

Everything goes through the adoption services, so each adoption has its timeline of events, as if the people had
done it by hand; then the dates are moved back to when the story says it happened (2025–2026), so the
dashboards have months to show. Idempotent: a (solution, body) pair that already has an adoption is left alone, and
a solution that does not exist (yet) is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from catalog.adoptions import services
from catalog.models import Adoption, AdoptionEvent, ReuseStory, Solution
from catalog.workflow import transition_for
from municipalities.models import Body, GlobalRole, Membership, User

ANAGRAFE = "elicat-anagrafe-soggetti-oggetti"
PORTALE = "elicat-portale-contribuente"
IMU = "fiscat-imu"
TARI = "fiscat-tari"
VIRTUAL = "virtualizzazione-server"
HOSTING = "hosting-siti-istituzionali"

# Referents of the comuni in the story, by ISTAT code. Those of Fano, Urbino and Frontino come from
# municipalities.demo; the others are created here.
REFERENTS: dict[str, tuple[str, str, str]] = {
    "041013": ("referente.fano@cstpu.example", "Franco", "Referente Fano"),
    "041067": ("referente.urbino@cstpu.example", "Ugo", "Referente Urbino"),
    "041017": ("referente.frontino@cstpu.example", "Fabiola", "Referente Frontino"),
    "041010": ("referente.cartoceto@cstpu.example", "Carla", "Referente Cartoceto"),
    "041029": ("referente.mondolfo@cstpu.example", "Marco", "Referente Mondolfo"),
    "041068": ("referente.vallefoglia@cstpu.example", "Valeria", "Referente Vallefoglia"),
    "041021": ("referente.isoladelpiano@cstpu.example", "Ivo", "Referente Isola del Piano"),
    "041006": ("referente.borgopace@cstpu.example", "Bruna", "Referente Borgo Pace"),
    "041041": ("referente.peglio@cstpu.example", "Piero", "Referente Peglio"),
    "041002": ("referente.apecchio@cstpu.example", "Anna", "Referente Apecchio"),
    "041025": ("referente.mercatello@cstpu.example", "Mario", "Referente Mercatello sul Metauro"),
    "041016": ("referente.fratterosa@cstpu.example", "Flavia", "Referente Fratte Rosa"),
}
PESARO_PUBLISHER = "redazione.pesaro@cstpu.example"
CST = "cst@cstpu.example"


@dataclass(frozen=True)
class Step:
    """One thing a person did. `who`: "adopter" (the body's referent), "owner" (the owner's publisher, or CST staff
    when the owner has none, as for the Province's services) or "cst"."""

    action: str
    on: dt.date
    who: str
    note: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    solution: str
    body: str
    steps: tuple[Step, ...]
    story: dict[str, str] | None = None


def _go_live(on: dt.date, version: str, *, estimated: str | None = None, actual: str | None = None,
             days: str | None = None, agreement: str = "", note: str = "") -> Step:
    return Step("go_live", on, "adopter", note, {
        "adopted_version": version, "go_live_date": on, "environment": "production",
        "estimated_cost": Decimal(estimated) if estimated else None, "actual_cost": Decimal(actual) if actual else None,
        "effort_days": Decimal(days) if days else None, "agreement_reference": agreement,
    })


D = dt.date

STORIES: tuple[Story, ...] = (
    # --- ELICAT: the registry of subjects and objects --------------------------------------------------------------
    Story(ANAGRAFE, "041013", (
        Step("request", D(2025, 2, 10), "adopter", "Vorremmo sostituire il vecchio archivio catastale con l'anagrafe "
             "ELICAT: ci serve per allineare IMU e TARI."),
        Step("approve", D(2025, 2, 14), "owner", "Volentieri: vi mandiamo la guida all'installazione e i contatti "
             "del nostro ufficio."),
        Step("start", D(2025, 2, 24), "adopter", "Server pronto, iniziamo con l'import delle forniture catastali."),
        Step("comment", D(2025, 3, 18), "owner", "La versione 3.1.0 legge anche le forniture in formato CML: "
             "conviene partire da quella."),
        _go_live(D(2025, 4, 15), "3.1.0", estimated="85000", actual="12000", days="40",
                 agreement="Accordo art. 15 L. 241/1990 n. 3/2025", note="Anagrafe in produzione, dati bonificati."),
    ), story={
        "outcome": "In due mesi l'ufficio tributi ha un'unica anagrafe di soggetti e immobili, allineata con le "
        "forniture dell'Agenzia delle Entrate: gli accertamenti IMU partono dagli stessi dati della TARI.",
        "lessons": "Bonificare i dati storici prima dell'import, non dopo. Il supporto del Comune di Pesaro nelle "
        "prime settimane è stato decisivo.",
        "savings_note": "Evitata una gara da circa 85.000 euro: abbiamo speso 12.000 euro di adattamento e 40 "
        "giornate del nostro personale.",
    }),
    Story(ANAGRAFE, "041067", (
        Step("request", D(2025, 9, 1), "adopter", "Ci interessa l'anagrafe per il centro storico, con molti immobili "
             "vincolati."),
        Step("ask_info", D(2025, 9, 5), "owner", "Su quale database girerebbe? Serve PostgreSQL 13 o successivo."),
        Step("answer", D(2025, 9, 9), "adopter", "PostgreSQL 15, già in uso per altri applicativi."),
        Step("approve", D(2025, 9, 19), "owner", ""),
        Step("start", D(2025, 10, 1), "adopter", ""),
        _go_live(D(2025, 12, 10), "3.2.0", estimated="70000", actual="9500", days="30",
                 agreement="Accordo art. 15 L. 241/1990 n. 11/2025"),
    ), story={
        "outcome": "Lo storico delle quote di possesso della 3.2.0 ci ha permesso di chiudere centinaia di pratiche "
        "arretrate sugli immobili del centro storico.",
        "lessons": "Coinvolgere da subito l'ufficio urbanistica: conosce gli immobili meglio di chiunque.",
        "savings_note": "Circa 60.000 euro risparmiati rispetto all'acquisto di un prodotto commerciale.",
    }),
    Story(ANAGRAFE, "041010", (
        Step("request", D(2026, 5, 4), "adopter", "Dopo l'esperienza di Fano vorremmo adottarla anche noi."),
        Step("approve", D(2026, 5, 8), "owner", "Approvata: Fano si è offerto di affiancarvi."),
        Step("start", D(2026, 6, 3), "adopter", "Migrazione dei dati in corso."),
        Step("comment", D(2026, 9, 15), "adopter", "Import dei terreni completato, mancano i fabbricati."),
    )),
    Story(ANAGRAFE, "041017", (
        Step("request", D(2025, 6, 3), "adopter", "Valutiamo l'anagrafe per il nostro piccolo ufficio tributi."),
        Step("withdraw", D(2025, 7, 1), "adopter", "Per un comune di meno di 300 abitanti è troppo impegnativo "
             "gestirla in casa: aderiamo prima alla virtualizzazione dei server del CST e ne riparleremo."),
    )),
    # --- ELICAT: the taxpayer portal -------------------------------------------------------------------------------
    Story(PORTALE, "041013", (
        Step("request", D(2025, 4, 22), "adopter", "Con l'anagrafe in produzione, vogliamo aprire il portale ai "
             "cittadini."),
        Step("approve", D(2025, 4, 28), "owner", ""),
        Step("start", D(2025, 5, 5), "adopter", ""),
        _go_live(D(2025, 6, 16), "2.0.0", estimated="40000", actual="5000", days="15"),
    )),
    Story(PORTALE, "041029", (
        Step("request", D(2026, 10, 20), "adopter", "Vorremmo il portale del contribuente per la prossima scadenza "
             "IMU."),
        Step("ask_info", D(2026, 10, 26), "owner", "Il portale legge i dati dall'anagrafe ELICAT: la usate già, o "
             "va adottata insieme?"),
    )),
    # --- FISCAT: IMU -----------------------------------------------------------------------------------------------
    Story(IMU, "041013", (
        Step("request", D(2025, 1, 27), "adopter", ""),
        Step("approve", D(2025, 1, 31), "owner", ""),
        Step("start", D(2025, 2, 10), "adopter", ""),
        _go_live(D(2025, 5, 2), "4.0.0", estimated="60000", actual="8000", days="25",
                 agreement="Accordo art. 15 L. 241/1990 n. 2/2025"),
    )),
    Story(IMU, "041067", (
        Step("request", D(2025, 3, 17), "adopter", "Vorremmo passare a FISCAT per l'IMU."),
        Step("reject", D(2025, 4, 2), "owner", "Urbino ha un contratto per il gestionale IMU attuale fino al 2027: "
             "migrare ora costerebbe una penale. Ripresentate la richiesta alla scadenza del contratto."),
    )),
    Story(IMU, "041068", (
        Step("request", D(2026, 9, 7), "adopter", "Dopo la fusione ci serve un unico gestionale IMU."),
        Step("approve", D(2026, 9, 14), "owner", "Approvata: vi aspettiamo al corso di formazione di ottobre."),
    )),
    # --- FISCAT: TARI ----------------------------------------------------------------------------------------------
    Story(TARI, "041067", (
        Step("request", D(2025, 5, 12), "adopter", ""),
        Step("approve", D(2025, 5, 16), "owner", ""),
        Step("start", D(2025, 6, 2), "adopter", ""),
        _go_live(D(2025, 8, 29), "1.8.0", estimated="45000", actual="6000", days="20"),
    )),
    Story(TARI, "041013", (
        Step("request", D(2025, 1, 13), "adopter", ""),
        Step("approve", D(2025, 1, 17), "owner", ""),
        Step("start", D(2025, 1, 27), "adopter", ""),
        _go_live(D(2025, 3, 31), "1.7.2", estimated="45000", actual="7000", days="18"),
        Step("retire", D(2026, 3, 31), "adopter", "La riscossione della TARI passa al gestore del servizio rifiuti: "
             "il gestionale comunale non serve più."),
    )),
    Story(TARI, "041010", (
        Step("request", D(2026, 11, 10), "adopter", "Vorremmo adottare FISCAT TARI dal prossimo anno."),
    )),
    # --- the CST's shared services: small comuni first -------------------------------------------------------------
    Story(VIRTUAL, "041017", (
        Step("request", D(2025, 3, 3), "adopter", "Il nostro unico server ha nove anni e nessuna copia di sicurezza "
             "fuori sede."),
        Step("approve", D(2025, 3, 5), "owner", ""),
        Step("start", D(2025, 3, 20), "adopter", ""),
        _go_live(D(2025, 5, 6), "2025.1", estimated="15000", actual="1200", days="4",
                 note="Server migrato in una giornata, senza fermi per l'anagrafe."),
    ), story={
        "outcome": "Il server del comune ora gira nella server farm del CST, con copie di sicurezza ogni notte su due "
        "nodi. Non dobbiamo più sostituire l'hardware.",
        "lessons": "Fare l'inventario degli applicativi prima della migrazione.",
        "savings_note": "Niente acquisto di un nuovo server (circa 15.000 euro con licenze e installazione).",
    }),
    Story(VIRTUAL, "041021", (
        Step("request", D(2025, 7, 14), "adopter", ""),
        Step("approve", D(2025, 7, 16), "owner", ""),
        Step("start", D(2025, 9, 1), "adopter", ""),
        _go_live(D(2025, 10, 8), "2025.2", estimated="12000", actual="900", days="3"),
    )),
    Story(VIRTUAL, "041006", (
        Step("request", D(2025, 11, 17), "adopter", ""),
        Step("approve", D(2025, 11, 20), "owner", ""),
        Step("start", D(2026, 1, 12), "adopter", ""),
        _go_live(D(2026, 2, 9), "2026.1", estimated="12000", actual="1000", days="3"),
    )),
    Story(VIRTUAL, "041041", (
        Step("request", D(2026, 8, 25), "adopter", ""),
        Step("approve", D(2026, 8, 27), "owner", ""),
        Step("start", D(2026, 10, 5), "adopter", "Rete privata attivata, migrazione fissata per dicembre."),
    )),
    Story(VIRTUAL, "041025", (
        Step("request", D(2026, 10, 12), "adopter", ""),
        Step("approve", D(2026, 10, 14), "owner", "Approvata: il CST vi contatterà per il sopralluogo."),
    )),
    Story(VIRTUAL, "041002", (
        Step("request", D(2026, 11, 5), "adopter", "Server in sala CED senza condizionamento: vorremmo migrare "
             "entro l'estate."),
    )),
    Story(HOSTING, "041016", (
        Step("request", D(2025, 5, 19), "adopter", ""),
        Step("approve", D(2025, 5, 21), "owner", ""),
        Step("start", D(2025, 6, 3), "adopter", ""),
        _go_live(D(2025, 7, 14), "2025.2", estimated="8000", actual="600", days="5"),
    )),
    Story(HOSTING, "041017", (
        Step("request", D(2026, 1, 19), "adopter", ""),
        Step("approve", D(2026, 1, 21), "owner", ""),
        Step("start", D(2026, 2, 16), "adopter", ""),
        _go_live(D(2026, 4, 20), "2025.3", estimated="8000", actual="500", days="4"),
    )),
)


def seed(*, password: str) -> str:
    """Create the demo adoptions that do not exist yet; returns a one-line summary."""
    solutions = {s.slug: s for s in Solution.objects.filter(slug__in={story.solution for story in STORIES})}
    cst = User.objects.filter(email=CST).first() or User.objects.filter(
        global_role=GlobalRole.CST_ADMIN, is_active=True).order_by("pk").first()
    if cst is None:
        return "adozioni dimostrative: saltate (manca lo staff CST: esegui prima municipalities.demo.seed)"
    publisher = User.objects.filter(email=PESARO_PUBLISHER).first()
    # Stories are dated in the past; on a machine whose clock is behind them, move them all back together.
    shift = max(dt.timedelta(0), max(step.on for s in STORIES for step in s.steps) - timezone.localdate())
    created = present = skipped = 0
    for story in STORIES:
        solution = solutions.get(story.solution)
        if solution is None or solution.status != Solution.Status.PUBLISHED:
            skipped += 1
            continue
        body = Body.objects.get(istat_code=story.body)
        if Adoption.objects.filter(solution=solution, body=body).exists():
            present += 1
            continue
        people = {
            "adopter": _referent(story.body, body, password),
            "cst": cst,
            "owner": publisher if publisher and solution.owner.istat_code == "041044" else cst,
        }
        _tell(story, solution=solution, body=body, people=people, shift=shift)
        created += 1
    return f"adozioni dimostrative: {created} create, {present} già presenti, {skipped} saltate (soluzione assente)"


def _referent(istat: str, body: Body, password: str) -> User:
    email, first_name, last_name = REFERENTS[istat]
    user, was_created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if was_created:
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, body=body, role="referent")
    return user


def _when(day: dt.date, index: int, shift: dt.timedelta) -> dt.datetime:
    """Office hours of `day`, a few minutes apart for steps taken the same day."""
    moment = dt.datetime.combine(day - shift, dt.time(9, 30)) + dt.timedelta(minutes=47 * index)
    return timezone.make_aware(moment)


def _tell(story: Story, *, solution: Solution, body: Body, people: dict[str, User], shift: dt.timedelta) -> None:
    """Play the story through the services, then move its dates back to when it happened."""
    first, *rest = story.steps
    adoption = services.request_adoption(solution=solution, body=body, by=people[first.who], note=first.note)
    moments = [_when(first.on, 0, shift)]
    # The request goes back to its day at once: go_live refuses a date before the request.
    adoption.requested_at = moments[0]
    Adoption.objects.filter(pk=adoption.pk).update(requested_at=moments[0])
    for index, step in enumerate(rest, start=1):
        if step.action == "comment":
            services.comment_on_adoption(adoption, by=people[step.who], note=step.note)
        else:
            fields = dict(step.fields)
            if "go_live_date" in fields:
                fields["go_live_date"] -= shift
            services.transition_adoption(adoption, action=step.action, by=people[step.who], note=step.note, **fields)
        moments.append(_when(step.on, index, shift))
    if story.story:
        services.save_reuse_story(adoption, by=people["adopter"], **story.story)

    # Demo data only: timestamps straight into the rows, after the services wrote them "now".
    for sequence, moment in enumerate(moments, start=1):
        AdoptionEvent.objects.filter(adoption=adoption, sequence=sequence).update(created_at=moment)
    dates: dict[str, dt.datetime] = {"requested_at": moments[0], "created_at": moments[0]}
    for step, moment in zip(story.steps, moments, strict=True):
        if step.action != "comment":
            dates.update(dict.fromkeys(transition_for(step.action).stamps, moment), status_changed_at=moment)
    dates["updated_at"] = moments[-1]
    Adoption.objects.filter(pk=adoption.pk).update(**dates)
    if story.story:
        written = moments[-1] + dt.timedelta(days=30)
        ReuseStory.objects.filter(adoption=adoption).update(created_at=written, updated_at=written)
