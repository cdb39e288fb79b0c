"""Demo solutions of the catalogue: the CST's story (ELICAT and FISCAT modules of the Comune di Pesaro, the CST's
shared services, software of Fano and Urbino), with releases, in every publication status.

Idempotent: a solution whose slug exists is left as it is. Everything goes through the services, so each solution
has its publication history, as if the publishers and CST staff had done it by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalog.models import Solution
from catalog.solutions import services
from catalog.solutions.search import refresh_search_vector
from municipalities.models import Body, GlobalRole, User

PESARO, FANO, URBINO, PROVINCE = "041044", "041013", "041067", "provincia"

ELICAT_LONG = """Modulo nato nel progetto nazionale **ELICAT** per la gestione decentrata del catasto da parte dei comuni.

## Che cosa fa
Mantiene l'anagrafe dei **soggetti** (persone fisiche e giuridiche), degli **oggetti** (fabbricati e terreni) e
delle **relazioni** tra loro (titolarità, quote, diritti reali), allineandola con le forniture dell'Agenzia delle
Entrate - Territorio.

## Perché riusarlo
L'anagrafe unica dei soggetti e degli oggetti è la base comune dei tributi locali: IMU, TARI e i controlli
sull'evasione leggono gli stessi dati, senza doppie registrazioni.
"""

SOLUTIONS: list[dict[str, Any]] = [
    {
        "slug": "elicat-anagrafe-soggetti-oggetti",
        "owner": PESARO,
        "state": "published",
        "name": "ELICAT Anagrafe del catasto: soggetti, oggetti e relazioni",
        "kind": "software",
        "origin": "elicat",
        "short_description_it": "Catasto decentrato: l'anagrafe comunale dei soggetti, degli immobili e delle loro "
        "relazioni, allineata con l'Agenzia delle Entrate.",
        "short_description_en": "Decentralised cadastre: registry of subjects, real estate and their relations.",
        "long_description_en": (
            "The municipal registry of the decentralised cadastre: who owns what, with the history of every "
            "ownership share, kept in line with the national land registry of the Agenzia delle Entrate. Tax, "
            "planning and registry offices read the same records."
        ),
        "features_en": [
            "One registry of subjects and real estate",
            "Import of the cadastral data supplies",
            "History of ownership shares",
        ],
        "long_description_it": ELICAT_LONG,
        "features_it": [
            "Anagrafe unica dei soggetti e degli oggetti immobiliari",
            "Import delle forniture catastali (fabbricati e terreni)",
            "Storico delle titolarità e delle quote di possesso",
            "Bonifica dei dati e segnalazione delle anomalie",
            "Servizi di consultazione per gli uffici tributi",
        ],
        "categories": ["real-estate-management", "geographic-information-systems", "taxes-management"],
        "tags": ["catasto", "ELICAT", "immobili"],
        "scope": ["local-authorities", "government"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "software_type": "standalone/web",
        "maintenance_type": "internal",
        "maintenance_until": dt.date(2028, 12, 31),
        "repository_url": "https://git.cstpu.example/pesaro/elicat-anagrafe",
        "documentation_url": "https://docs.cstpu.example/elicat-anagrafe/",
        "platforms": ["web", "linux"],
        "available_languages": ["it"],
        "dependencies": [{"name": "PostgreSQL 13 o successivo", "kind": "open"}, {"name": "Java 17", "kind": "open"}],
        "contacts": [{"name": "Servizio Sistemi Informativi del Comune di Pesaro", "email": "sistemi.informativi@comune-pesaro.example", "phone": "+39 0721 000000"}],
        "releases": [("3.1.0", dt.date(2025, 3, 10), "Import delle forniture in formato CML."),
                     ("3.2.0", dt.date(2025, 11, 4), "Storico delle quote di possesso; correzioni.")],
    },
    {
        "slug": "elicat-portale-contribuente",
        "owner": PESARO,
        "state": "published",
        "name": "ELICAT Portale del contribuente",
        "kind": "software",
        "origin": "elicat",
        "short_description_it": "Il cittadino consulta online la propria posizione al catasto e ai tributi locali, "
        "con accesso SPID o CIE.",
        "long_description_it": "Portale derivato dal progetto **ELICAT**: ogni contribuente vede i propri immobili "
        "come risultano nell'anagrafe del catasto comunale, le rendite, le quote di possesso e la situazione dei "
        "versamenti dei tributi locali.\n\n## Servizi\n- visura degli immobili posseduti\n- calcolo e stampa "
        "del modello F24\n- pagamento con pagoPA\n- richiesta di rettifica dei dati\n",
        "features_it": ["Accesso con SPID e CIE", "Visura degli immobili", "Calcolo IMU e stampa F24",
                        "Pagamento con pagoPA", "Richiesta di rettifica online"],
        "categories": ["digital-citizenship", "taxes-management"],
        "tags": ["catasto", "ELICAT", "contribuente"],
        "scope": ["local-authorities"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "contract",
        "maintenance_contractor": "Marche Digitale S.r.l.",
        "maintenance_until": dt.date(2027, 6, 30),
        "repository_url": "https://git.cstpu.example/pesaro/elicat-portale",
        "landing_url": "https://contribuente.comune-pesaro.example/",
        "platforms": ["web"],
        "supports_spid": True, "supports_cie": True, "supports_pagopa": True,
        "contacts": [{"name": "Ufficio Tributi del Comune di Pesaro", "email": "tributi@comune-pesaro.example"}],
        "releases": [("2.0.0", dt.date(2024, 9, 2), "Accesso con CIE."),
                     ("2.1.0", dt.date(2025, 10, 15), "Pagamenti pagoPA integrati.")],
    },
    {
        "slug": "fiscat-imu",
        "owner": PESARO,
        "state": "published",
        "name": "FISCAT IMU",
        "kind": "software",
        "origin": "fiscat",
        "short_description_it": "Gestione dell'imposta municipale propria: dichiarazioni, versamenti, "
        "accertamenti e rimborsi.",
        "long_description_it": "Modulo del progetto **FISCAT** per la fiscalità locale. Gestisce i tributi "
        "immobiliari del comune a partire dai dati del catasto: dichiarazioni, versamenti, liquidazione, "
        "accertamenti esecutivi e rimborsi.\n\nSi integra con l'anagrafe ELICAT dei soggetti e degli oggetti.",
        "features_it": ["Dichiarazioni e versamenti", "Accertamenti esecutivi", "Rimborsi e compensazioni",
                        "Bonifica dei versamenti F24"],
        "categories": ["taxes-management", "accounting"],
        "tags": ["FISCAT", "IMU"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "internal",
        "repository_url": "https://git.cstpu.example/pesaro/fiscat-imu",
        "platforms": ["web"],
        "supports_pagopa": True,
        "contacts": [{"name": "Ufficio Tributi del Comune di Pesaro", "email": "tributi@comune-pesaro.example"}],
        "releases": [("4.0.0", dt.date(2025, 1, 20), "Nuove aliquote 2025."),
                     ("4.1.0", dt.date(2026, 1, 12), "Prospetto delle aliquote ministeriale.")],
    },
    {
        "slug": "fiscat-tari",
        "owner": PESARO,
        "state": "published",
        "name": "FISCAT TARI",
        "kind": "software",
        "origin": "fiscat",
        "short_description_it": "La tassa sui rifiuti: utenze, tariffe, avvisi di pagamento e solleciti.",
        "long_description_it": "Modulo del progetto **FISCAT** per la TARI: gestione delle utenze domestiche e "
        "non domestiche, calcolo delle tariffe secondo il metodo ARERA, emissione degli avvisi con pagoPA, "
        "solleciti e riduzioni.",
        "features_it": ["Utenze domestiche e non domestiche", "Tariffe secondo il metodo ARERA",
                        "Avvisi di pagamento pagoPA", "Solleciti e riduzioni"],
        "categories": ["taxes-management", "billing-and-invoicing"],
        "tags": ["FISCAT", "TARI", "rifiuti"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "internal",
        "repository_url": "https://git.cstpu.example/pesaro/fiscat-tari",
        "platforms": ["web"],
        "supports_pagopa": True, "supports_io": True,
        "releases": [("1.7.2", dt.date(2024, 11, 18), "Correzioni al calcolo delle riduzioni."),
                     ("1.8.0", dt.date(2025, 4, 1), "Avvisi sull'app IO."),
                     ("1.9.0", dt.date(2025, 12, 1), "Tariffe 2026.")],
    },
    {
        "slug": "protocollo-informatico",
        "owner": PROVINCE,
        "state": "published",
        "name": "Protocollo informatico in ASP",
        "kind": "service",
        "short_description_it": "Protocollo, gestione documentale e conservazione erogati dal CST ai comuni in "
        "modalità ASP.",
        "long_description_it": "Il CST eroga a tutti gli enti soci il **protocollo informatico** conforme alle "
        "Linee guida AgID sul documento informatico: registrazione, segnatura, fascicolazione, PEC integrata e "
        "invio in conservazione a norma.\n\nL'ente non installa nulla: il servizio gira nella server farm del CST.",
        "features_it": ["Registro di protocollo e segnatura", "PEC integrata", "Fascicolo informatico",
                        "Conservazione a norma"],
        "categories": ["document-management", "workflow-management"],
        "tags": ["protocollo", "documenti", "ASP"],
        "licence": "AGPL-3.0-or-later",
        "development_status": "stable",
        "maintenance_type": "contract",
        "maintenance_contractor": "Documenta Adriatica S.p.A.",
        "maintenance_until": dt.date(2027, 12, 31),
        "platforms": ["web"],
        "supports_spid": True,
        "contacts": [{"name": "CST - assistenza", "email": "assistenza@cstpu.example"}],
        "releases": [("2025.2", dt.date(2025, 7, 1), "Fascicolo informatico secondo le nuove regole tecniche.")],
    },
    {
        "slug": "albo-pretorio-online",
        "owner": FANO,
        "state": "published",
        "name": "Albo pretorio online",
        "kind": "software",
        "short_description_it": "Pubblicazione degli atti all'albo online con tempi di affissione, "
        "annullamenti e archivio storico.",
        "long_description_it": "Applicazione web per l'**albo pretorio online**: pubblicazione degli atti con data "
        "di inizio e fine affissione, referto di pubblicazione, annullamento motivato e archivio storico "
        "consultabile, nel rispetto delle linee guida del Garante sulla protezione dei dati.",
        "features_it": ["Affissione con date di inizio e fine", "Referto di pubblicazione",
                        "Oscuramento dei dati personali", "Archivio storico"],
        "categories": ["content-management", "regulations-and-directives"],
        "tags": ["albo", "trasparenza"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "community",
        "repository_url": "https://git.cstpu.example/fano/albo-pretorio",
        "platforms": ["web"],
        "releases": [("5.0.1", dt.date(2025, 5, 20), "Correzioni di accessibilità.")],
    },
    {
        "slug": "suap-front-office",
        "owner": URBINO,
        "state": "published",
        "name": "SUAP front office",
        "kind": "software",
        "short_description_it": "Lo sportello unico per le attività produttive: pratiche online per imprese e "
        "professionisti.",
        "long_description_it": "Front office dello **Sportello Unico per le Attività Produttive**: le imprese "
        "compilano e firmano online le pratiche (SCIA, autorizzazioni, comunicazioni), pagano i diritti con pagoPA "
        "e seguono lo stato del procedimento.",
        "features_it": ["Modulistica unificata", "Firma digitale delle pratiche", "Pagamento dei diritti pagoPA",
                        "Stato del procedimento"],
        "categories": ["workflow-management", "digital-citizenship"],
        "tags": ["SUAP", "imprese"],
        "licence": "EUPL-1.2",
        "development_status": "beta",
        "maintenance_type": "internal",
        "repository_url": "https://git.cstpu.example/urbino/suap",
        "platforms": ["web"],
        "supports_spid": True, "supports_cie": True, "supports_pagopa": True,
        "releases": [("0.9.0", dt.date(2025, 9, 9), "Prima versione pubblica.")],
    },
    {
        "slug": "virtualizzazione-server",
        "owner": PROVINCE,
        "state": "published",
        "name": "Virtualizzazione dei server comunali",
        "kind": "service",
        "short_description_it": "I server del comune diventano macchine virtuali nella server farm del CST, su "
        "due nodi collegati dalla rete privata.",
        "long_description_it": "Il primo servizio condiviso del CST: i server fisici dei comuni, spesso vecchi e "
        "senza continuità operativa, vengono **virtualizzati** nella server farm del CST, distribuita su due nodi "
        "tecnici raggiunti attraverso la rete privata provinciale.\n\n## Compreso nel servizio\n- migrazione "
        "assistita\n- backup giornaliero\n- monitoraggio\n- aggiornamenti di sicurezza del sistema operativo\n",
        "features_it": ["Migrazione assistita dei server", "Backup giornaliero", "Due nodi per la continuità",
                        "Monitoraggio e aggiornamenti di sicurezza"],
        "categories": ["cloud-management", "it-management", "backup"],
        "tags": ["server farm", "virtualizzazione"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "internal",
        "platforms": ["vmware", "linux", "windows"],
        "contacts": [{"name": "CST - sistemi", "email": "sistemi@cstpu.example"}],
        "releases": [("2025.1", dt.date(2025, 2, 3), "Migrazione assistita e backup giornaliero."),
                     ("2025.2", dt.date(2025, 9, 15), "Copie di sicurezza replicate sul secondo nodo."),
                     ("2026.1", dt.date(2026, 1, 8), "Nuovo nodo tecnico di Urbino.")],
    },
    {
        "slug": "hosting-siti-istituzionali",
        "owner": PROVINCE,
        "state": "published",
        "name": "Hosting dei siti istituzionali",
        "kind": "service",
        "short_description_it": "Il sito del comune ospitato dal CST, con il modello dei siti dei Comuni di "
        "Designers Italia.",
        "long_description_it": "Ospitalità dei **siti istituzionali** dei comuni sull'infrastruttura del CST, con il "
        "modello di sito per i Comuni di Designers Italia, certificati TLS, copie di sicurezza e aggiornamenti.",
        "features_it": ["Modello di sito dei Comuni", "Certificati TLS", "Copie di sicurezza"],
        "categories": ["website-builder", "content-management"],
        "tags": ["siti web", "hosting"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "internal",
        "platforms": ["web"],
        "releases": [("2025.2", dt.date(2025, 6, 9), "Modello di sito dei Comuni 2025."),
                     ("2025.3", dt.date(2025, 10, 1), "Aggiornamento del modello di sito.")],
    },
    {
        "slug": "pagamenti-pagopa",
        "owner": PESARO,
        "state": "published",
        "name": "Pagamenti pagoPA per i servizi comunali",
        "kind": "software",
        "short_description_it": "Intermediazione tecnologica verso pagoPA: avvisi, pagamenti spontanei e "
        "riconciliazione contabile.",
        "long_description_it": "Componente che collega i servizi del comune a **pagoPA**: genera gli avvisi, "
        "riceve le ricevute telematiche e riconcilia gli incassi con la contabilità.",
        "features_it": ["Avvisi di pagamento", "Pagamenti spontanei", "Riconciliazione degli incassi"],
        "categories": ["payment-gateway", "accounting"],
        "tags": ["pagamenti"],
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "maintenance_type": "internal",
        "repository_url": "https://git.cstpu.example/pesaro/pagamenti",
        "platforms": ["web"],
        "supports_pagopa": True, "supports_io": True,
        "releases": [("1.4.0", dt.date(2025, 6, 16), "Ricevute telematiche v2.")],
    },
    {
        "slug": "gestione-segnalazioni",
        "owner": FANO,
        "state": "in_review",
        "name": "Gestione delle segnalazioni dei cittadini",
        "kind": "software",
        "short_description_it": "Buche, illuminazione, rifiuti: i cittadini segnalano e seguono la pratica fino "
        "alla chiusura.",
        "long_description_it": "Raccolta delle **segnalazioni** dei cittadini con foto e posizione sulla mappa, "
        "smistamento agli uffici competenti e notifica dell'esito. I cittadini seguono la propria segnalazione "
        "dall'app o dal sito; gli uffici vedono sulla mappa dove intervenire.",
        "features_it": ["Segnalazione con foto e mappa", "Smistamento agli uffici", "Notifica dell'esito"],
        "categories": ["customer-service-and-support", "digital-citizenship"],
        "tags": ["segnalazioni"],
        "licence": "AGPL-3.0-or-later",
        "development_status": "beta",
        "maintenance_type": "internal",
        "platforms": ["web", "android", "ios"],
        "supports_spid": True, "supports_io": True,
        "releases": [("1.0.0-rc1", dt.date(2026, 2, 2), "Versione candidata.")],
    },
    {
        "slug": "prenotazione-sale",
        "owner": URBINO,
        "state": "changes_requested",
        "reason": "Manca la licenza del modulo calendario e la descrizione non spiega come si integra con il "
        "protocollo. Completare e inviare di nuovo.",
        "name": "Prenotazione di sale e spazi comunali",
        "kind": "software",
        "short_description_it": "Calendario delle sale civiche, richiesta online e pagamento della tariffa.",
        "long_description_it": "Le associazioni e i cittadini prenotano online sale e spazi comunali: scelgono la "
        "sala sul calendario, inviano la richiesta e pagano la tariffa con pagoPA; l'ufficio conferma o propone "
        "un'altra data.",
        "features_it": ["Calendario delle sale", "Richiesta di prenotazione online", "Pagamento con pagoPA"],
        "categories": ["online-booking", "appointment-scheduling"],
        "tags": ["prenotazioni"],
        "licence": "MIT",
        "development_status": "development",
        "maintenance_type": "internal",
        "platforms": ["web"],
        "supports_pagopa": True,
        "releases": [],
    },
    {
        "slug": "sportello-anagrafe-online",
        "owner": PESARO,
        "state": "draft",
        "name": "Sportello anagrafe online",
        "kind": "software",
        "short_description_it": "Certificati anagrafici e autocertificazioni precompilate dai dati di ANPR.",
        "long_description_it": "Bozza in preparazione: certificati anagrafici online con i dati di **ANPR**. Il "
        "cittadino entra con SPID o CIE, sceglie il certificato o l'autocertificazione e lo scarica già "
        "compilato con i propri dati.",
        "features_it": ["Certificati anagrafici online", "Autocertificazioni precompilate"],
        "categories": ["digital-citizenship"],
        "tags": ["anagrafe", "ANPR"],
        "licence": "EUPL-1.2",
        "development_status": "development",
        "maintenance_type": "internal",
        "platforms": ["web"],
        "supports_spid": True, "supports_cie": True, "supports_anpr": True,
        "releases": [],
    },
    {
        "slug": "rilevazione-presenze",
        "owner": FANO,
        "state": "retired",
        "reason": "Sostituita dal servizio regionale di gestione del personale.",
        "name": "Rilevazione delle presenze del personale",
        "kind": "software",
        "short_description_it": "Timbrature, ferie e permessi dei dipendenti comunali.",
        "long_description_it": "Gestione delle **presenze**: timbrature da badge, giustificativi, ferie e permessi. "
        "I dipendenti consultano il proprio cartellino e chiedono ferie e permessi online; l'ufficio personale "
        "approva e chiude il mese.",
        "features_it": ["Timbrature da badge", "Richieste di ferie e permessi", "Cartellino mensile"],
        "categories": ["hr", "time-tracking"],
        "tags": ["personale"],
        "licence": "GPL-3.0-or-later",
        "development_status": "obsolete",
        "maintenance_type": "none",
        "platforms": ["web", "windows"],
        "releases": [("3.4.2", dt.date(2022, 3, 1), "Ultima versione.")],
    },
]


def _body(code: str) -> Body:
    if code == PROVINCE:
        return Body.objects.get(kind=Body.Kind.PROVINCIA)
    return Body.objects.get(istat_code=code)


def _people() -> tuple[User, User]:
    cst = (
        User.objects.filter(email="cst@cstpu.example").first()
        or User.objects.filter(global_role=GlobalRole.CST_ADMIN, is_active=True).order_by("pk").first()
    )
    if cst is None:
        raise RuntimeError("The catalogue's demo needs a CST admin: run municipalities.demo.seed first.")
    publisher = User.objects.filter(email="redazione.pesaro@cstpu.example").first() or cst
    return cst, publisher


def seed(*, password: str) -> str:
    """Create the demo solutions that do not exist yet (by slug); `password` is unused (people come from
    municipalities.demo)."""
    cst, pesaro_publisher = _people()
    created: list[int] = []
    for spec in SOLUTIONS:
        if Solution.objects.filter(slug=spec["slug"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k not in {"slug", "owner", "state", "reason", "releases",
                                                                "categories", "tags"}}
        owner = _body(spec["owner"])
        # Every demo solution carries what publiccode.yml asks for: its languages and someone to contact.
        fields.setdefault("available_languages", ["it"])
        fields.setdefault(
            "contacts", [{"name": f"Servizi informativi — {owner.name}", "email": f"riuso.{owner.slug}@cstpu.example"}]
        )
        author = pesaro_publisher if spec["owner"] == PESARO else cst
        solution = services.create_solution(
            by=author, owner=owner, slug=spec["slug"], categories=spec.get("categories", ()),
            tags=spec.get("tags", ()), **fields,
        )
        for version, date, notes in spec.get("releases", ()):
            services.add_release(solution, by=author, version=version, date=date, notes=notes)
        state = spec["state"]
        if state != "draft":
            services.submit_solution(solution, by=author)
        if state in ("published", "retired"):
            services.publish_solution(solution, by=cst)
        if state == "retired":
            services.retire_solution(solution, by=author, reason=spec["reason"])
        if state == "changes_requested":
            services.request_changes(solution, by=cst, reason=spec["reason"])
        created.append(solution.pk)
    refresh_search_vector(created)
    return f"soluzioni dimostrative: {len(created)} create, {len(SOLUTIONS) - len(created)} già presenti"
