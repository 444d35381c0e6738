"""Fixed PrestaShop reference rows of the sandbox shop: languages, states, carriers, taxes, option groups."""

from __future__ import annotations

# id, French name, English name, and the flags of the 13 states of a fresh 8.1.2 install, in the order the
# real table holds them (the API lists them in that order, not by id).
# flags: unremovable delivery hidden send_email module_name invoice color logable shipped paid pdf_delivery
#        pdf_invoice deleted template
ORDER_STATES = (
    (2, "Paiement accepté", "Payment accepted", (1, 0, 0, 1, "", 1, "#3498D8", 1, 0, 1, 0, 1, 0, "payment")),
    (
        3,
        "En cours de préparation",
        "Processing in progress",
        (1, 1, 0, 1, "", 1, "#3498D8", 1, 0, 1, 0, 1, 0, "preparation"),
    ),
    (4, "Expédié", "Shipped", (1, 1, 0, 1, "", 1, "#01b887", 1, 1, 1, 1, 1, 0, "shipped")),
    (5, "Livré", "Delivered", (1, 1, 0, 0, "", 1, "#01b887", 1, 1, 1, 1, 1, 0, "")),
    (6, "Annulé", "Canceled", (1, 0, 0, 1, "", 0, "#2C3E50", 0, 0, 0, 0, 0, 0, "order_canceled")),
    (7, "Remboursé", "Refunded", (1, 0, 0, 1, "", 1, "#ec2e15", 0, 0, 0, 0, 0, 0, "refund")),
    (
        8,
        "Erreur de paiement",
        "Payment error",
        (1, 0, 0, 1, "", 0, "#ec2e15", 0, 0, 0, 0, 0, 0, "payment_error"),
    ),
    (
        9,
        "En attente de réapprovisionnement (payé)",
        "On backorder (paid)",
        (1, 0, 0, 1, "", 1, "#3498D8", 0, 0, 1, 0, 1, 0, "outofstock"),
    ),
    (
        11,
        "Paiement à distance accepté",
        "Remote payment accepted",
        (1, 0, 0, 1, "", 1, "#3498D8", 1, 0, 1, 0, 1, 0, "payment"),
    ),
    (
        12,
        "En attente de réapprovisionnement (non payé)",
        "On backorder (not paid)",
        (1, 0, 0, 1, "", 0, "#34209E", 0, 0, 0, 0, 0, 0, "outofstock"),
    ),
    (
        13,
        "En attente de validation du paiement à la livraison",
        "Awaiting Cash On Delivery validation",
        (1, 0, 0, 0, "ps_cashondelivery", 0, "#34209E", 0, 0, 0, 0, 0, 0, ""),
    ),
    (
        1,
        "En attente du paiement par chèque",
        "Awaiting check payment",
        (1, 0, 0, 1, "ps_checkpayment", 0, "#34209E", 0, 0, 0, 0, 0, 0, "cheque"),
    ),
    (
        10,
        "En attente de virement bancaire",
        "Awaiting bank wire payment",
        (1, 0, 0, 1, "ps_wirepayment", 0, "#34209E", 0, 0, 0, 0, 0, 0, "bankwire"),
    ),
)
ORDER_STATE_FLAGS = (
    "unremovable delivery hidden send_email module_name invoice color logable shipped paid pdf_delivery "
    "pdf_invoice deleted"
).split()

LANGUAGES = (
    (1, "Français (French)", "fr", "fr-FR", "fr-fr", "d/m/Y", "d/m/Y H:i:s"),
    (2, "English (English)", "en", "en-US", "en-us", "m/d/Y", "m/d/Y H:i:s"),
)

# id (= id_reference), name, is_free, url, delay fr, delay en, shipping cost incl. tax, click and collect
CARRIERS = (
    (
        1,
        "Retrait en boutique",
        1,
        "",
        "Retrait en boutique sous 2 jours",
        "Pick up in store within 2 days",
        0.0,
        True,
    ),
    (
        2,
        "Colissimo",
        0,
        "https://www.laposte.fr/outils/suivre-vos-envois?code=@",
        "Livraison en 48h",
        "Delivery in 48 hours",
        4.90,
        False,
    ),
    (
        3,
        "Chronopost Express",
        0,
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=@",
        "Livraison en 24h",
        "Next-day delivery",
        8.90,
        False,
    ),
)
FREE_SHIPPING_FROM_TTC = 60.0

# tax rule group id, name, tax id, rate
TAXES = ((1, "FR Taux standard (20%)", 1, 20.0), (2, "FR Taux réduit (5.5%)", 2, 5.5))
FRANCE_PS_COUNTRY_ID = 8

OPTION_GROUPS = ((1, "color", "Couleur", "Color"), (2, "select", "Taille", "Size"))
