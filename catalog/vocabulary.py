"""Controlled vocabularies shared with publiccode.yml."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

# The publiccode.yml category list, exactly as in the standard (docs/standard/categories-list).
CATEGORIES: tuple[str, ...] = (
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting", "business-intelligence",
    "business-process-management", "cad", "call-center-management", "cloud-management", "collaboration",
    "communications", "compliance-management", "contact-management", "content-management", "crm",
    "customer-service-and-support", "data-analytics", "data-collection", "data-visualization", "design",
    "design-system", "digital-asset-management", "digital-citizenship", "document-management", "donor-management",
    "e-commerce", "e-signature", "educational-content", "email-management", "email-marketing", "employee-management",
    "enterprise-project-management", "enterprise-social-networking", "erp", "event-management", "facility-management",
    "feedback-and-reviews-management", "financial-reporting", "fleet-management", "fundraising", "gamification",
    "geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr", "ide",
    "identity-management", "instant-messaging", "integrated-library-system", "inventory-management",
    "it-asset-management", "it-development", "it-management", "it-security", "it-service-management",
    "knowledge-management", "learning-management-system", "marketing", "mind-mapping", "mobile-marketing",
    "mobile-payment", "network-management", "office", "online-booking", "online-community", "payment-gateway",
    "payroll", "predictive-analysis", "procurement", "productivity-suite", "project-collaboration",
    "project-management", "property-management", "real-estate-management", "regulations-and-directives",
    "remote-support", "resource-management", "sales-management", "seo", "service-desk", "social-media-management",
    "survey", "talent-management", "task-management", "taxes-management", "test-management", "time-management",
    "time-tracking", "translation", "video-conferencing", "video-editing", "visitor-management", "voip",
    "warehouse-management", "web-collaboration", "web-conferencing", "website-builder", "whistleblowing",
    "workflow-management", "other",
)

# Labels of the categories, in Italian and translatable (the English ones come from the catalogue of translations).
CATEGORY_LABELS_IT: dict[str, StrOrPromise] = {
    "accounting": _("Contabilità"),
    "agile-project-management": _("Gestione agile dei progetti"),
    "applicant-tracking": _("Selezione del personale"),
    "application-development": _("Sviluppo di applicazioni"),
    "appointment-scheduling": _("Prenotazione degli appuntamenti"),
    "backup": _("Backup"),
    "billing-and-invoicing": _("Fatturazione"),
    "blog": _("Blog"),
    "budgeting": _("Bilancio"),
    "business-intelligence": _("Business intelligence"),
    "business-process-management": _("Gestione dei processi"),
    "cad": _("Progettazione assistita (CAD)"),
    "call-center-management": _("Gestione del call center"),
    "cloud-management": _("Gestione cloud"),
    "collaboration": _("Collaborazione"),
    "communications": _("Comunicazione"),
    "compliance-management": _("Gestione della conformità"),
    "contact-management": _("Gestione dei contatti"),
    "content-management": _("Gestione dei contenuti"),
    "crm": _("Gestione delle relazioni con l'utenza (CRM)"),
    "customer-service-and-support": _("Servizio e assistenza all'utenza"),
    "data-analytics": _("Analisi dei dati"),
    "data-collection": _("Raccolta dati"),
    "data-visualization": _("Visualizzazione dei dati"),
    "design": _("Design"),
    "design-system": _("Design system"),
    "digital-asset-management": _("Gestione delle risorse digitali"),
    "digital-citizenship": _("Cittadinanza digitale"),
    "document-management": _("Gestione documentale"),
    "donor-management": _("Gestione dei donatori"),
    "e-commerce": _("Commercio elettronico"),
    "e-signature": _("Firma elettronica"),
    "educational-content": _("Contenuti didattici"),
    "email-management": _("Gestione della posta elettronica"),
    "email-marketing": _("Campagne via e-mail"),
    "employee-management": _("Gestione del personale"),
    "enterprise-project-management": _("Gestione dei progetti dell'ente"),
    "enterprise-social-networking": _("Social network interno"),
    "erp": _("Gestionale integrato (ERP)"),
    "event-management": _("Gestione degli eventi"),
    "facility-management": _("Gestione delle strutture"),
    "feedback-and-reviews-management": _("Gestione di segnalazioni e valutazioni"),
    "financial-reporting": _("Rendicontazione finanziaria"),
    "fleet-management": _("Gestione del parco veicoli"),
    "fundraising": _("Raccolta fondi"),
    "gamification": _("Gamification"),
    "geographic-information-systems": _("Sistemi informativi territoriali"),
    "grant-management": _("Gestione di contributi e finanziamenti"),
    "graphic-design": _("Grafica"),
    "help-desk": _("Assistenza"),
    "hr": _("Risorse umane"),
    "ide": _("Ambienti di sviluppo (IDE)"),
    "identity-management": _("Gestione delle identità"),
    "instant-messaging": _("Messaggistica istantanea"),
    "integrated-library-system": _("Gestione delle biblioteche"),
    "inventory-management": _("Gestione dell'inventario"),
    "it-asset-management": _("Gestione dei beni informatici"),
    "it-development": _("Sviluppo software"),
    "it-management": _("Gestione IT"),
    "it-security": _("Sicurezza informatica"),
    "it-service-management": _("Gestione dei servizi IT"),
    "knowledge-management": _("Gestione della conoscenza"),
    "learning-management-system": _("Formazione a distanza"),
    "marketing": _("Marketing"),
    "mind-mapping": _("Mappe concettuali"),
    "mobile-marketing": _("Marketing su dispositivi mobili"),
    "mobile-payment": _("Pagamenti da dispositivi mobili"),
    "network-management": _("Gestione della rete"),
    "office": _("Strumenti d'ufficio"),
    "online-booking": _("Prenotazioni online"),
    "online-community": _("Comunità online"),
    "payment-gateway": _("Pagamenti"),
    "payroll": _("Gestione degli stipendi"),
    "predictive-analysis": _("Analisi predittiva"),
    "procurement": _("Acquisti e appalti"),
    "productivity-suite": _("Suite di produttività"),
    "project-collaboration": _("Collaborazione sui progetti"),
    "project-management": _("Gestione dei progetti"),
    "property-management": _("Gestione immobiliare"),
    "real-estate-management": _("Gestione del patrimonio immobiliare"),
    "regulations-and-directives": _("Norme e direttive"),
    "remote-support": _("Assistenza remota"),
    "resource-management": _("Gestione delle risorse"),
    "sales-management": _("Gestione delle vendite"),
    "seo": _("Ottimizzazione per i motori di ricerca (SEO)"),
    "service-desk": _("Service desk"),
    "social-media-management": _("Gestione dei social media"),
    "survey": _("Questionari e sondaggi"),
    "talent-management": _("Valorizzazione del personale"),
    "task-management": _("Gestione delle attività"),
    "taxes-management": _("Gestione dei tributi"),
    "test-management": _("Gestione dei test"),
    "time-management": _("Gestione del tempo"),
    "time-tracking": _("Rilevazione dei tempi"),
    "translation": _("Traduzione"),
    "video-conferencing": _("Videoconferenza"),
    "video-editing": _("Montaggio video"),
    "visitor-management": _("Gestione dei visitatori"),
    "voip": _("Telefonia VoIP"),
    "warehouse-management": _("Gestione del magazzino"),
    "web-collaboration": _("Collaborazione sul web"),
    "web-conferencing": _("Conferenze web"),
    "website-builder": _("Creazione di siti web"),
    "whistleblowing": _("Segnalazione di illeciti (whistleblowing)"),
    "workflow-management": _("Gestione dei procedimenti"),
    "other": _("Altro"),
    # Not in the standard list, kept for data entered before the list was enforced.
    "local-authorities": _("Enti locali"),
}


def category_label(code: str) -> str:
    """The label of a category in the active language; a code without one is shown humanised."""
    label = CATEGORY_LABELS_IT.get(code)
    return str(label) if label else code.replace("-", " ").capitalize()


SUPPORTS: tuple[tuple[str, str], ...] = (
    ("spid", "SPID"),
    ("cie", "CIE"),
    ("pagopa", "pagoPA"),
    ("anpr", "ANPR"),
    ("io", "App IO"),
)

SCOPES: tuple[str, ...] = (
    "agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy",
    "environment", "finance-and-economic-development", "foreign-affairs", "government", "healthcare",
    "infrastructures", "justice", "local-authorities", "manufacturing", "research", "science-and-technology",
    "security", "society", "sport", "tourism", "transportation", "welfare",
)

# Labels of the scopes (intendedAudience.scope), in Italian and translatable.
SCOPE_LABELS_IT: dict[str, StrOrPromise] = {
    "agriculture": _("Agricoltura"),
    "culture": _("Cultura"),
    "defence": _("Difesa"),
    "education": _("Istruzione"),
    "emergency-services": _("Servizi di emergenza"),
    "employment": _("Lavoro"),
    "energy": _("Energia"),
    "environment": _("Ambiente"),
    "finance-and-economic-development": _("Finanza e sviluppo economico"),
    "foreign-affairs": _("Affari esteri"),
    "government": _("Governo"),
    "healthcare": _("Sanità"),
    "infrastructures": _("Infrastrutture"),
    "justice": _("Giustizia"),
    "local-authorities": _("Enti locali"),
    "manufacturing": _("Manifattura"),
    "research": _("Ricerca"),
    "science-and-technology": _("Scienza e tecnologia"),
    "security": _("Sicurezza"),
    "society": _("Società"),
    "sport": _("Sport"),
    "tourism": _("Turismo"),
    "transportation": _("Trasporti"),
    "welfare": _("Welfare"),
}


def scope_label(code: str) -> str:
    """The label of a scope in the active language; a code without one is shown humanised."""
    label = SCOPE_LABELS_IT.get(code)
    return str(label) if label else code.replace("-", " ").capitalize()


ORIGIN_LABELS = {"elicat": "ELICAT", "fiscat": "FISCAT", "other": _("Altro")}
