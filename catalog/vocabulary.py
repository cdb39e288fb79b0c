"""Controlled vocabularies shared with publiccode.yml."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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

# Italian labels for the categories; a code without one is shown humanised.
CATEGORY_LABELS_IT: dict[str, str] = {
    "accounting": "Contabilità",
    "billing-and-invoicing": "Fatturazione",
    "budgeting": "Bilancio",
    "cloud-management": "Gestione cloud",
    "collaboration": "Collaborazione",
    "communications": "Comunicazione",
    "content-management": "Gestione dei contenuti",
    "data-analytics": "Analisi dei dati",
    "data-collection": "Raccolta dati",
    "digital-citizenship": "Cittadinanza digitale",
    "document-management": "Gestione documentale",
    "e-signature": "Firma elettronica",
    "geographic-information-systems": "Sistemi informativi territoriali",
    "identity-management": "Gestione delle identità",
    "it-management": "Gestione IT",
    "it-security": "Sicurezza informatica",
    "it-service-management": "Gestione dei servizi IT",
    "local-authorities": "Enti locali",
    "online-booking": "Prenotazioni online",
    "payment-gateway": "Pagamenti",
    "property-management": "Gestione immobiliare",
    "real-estate-management": "Gestione del patrimonio immobiliare",
    "taxes-management": "Gestione dei tributi",
    "workflow-management": "Gestione dei procedimenti",
    "backup": "Backup",
    "network-management": "Gestione della rete",
    "help-desk": "Assistenza",
}


def category_label(code: str) -> str:
    return CATEGORY_LABELS_IT.get(code) or code.replace("-", " ").capitalize()


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

ORIGIN_LABELS = {"elicat": "ELICAT", "fiscat": "FISCAT", "other": _("Altro")}
