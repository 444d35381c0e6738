"""Words the generator draws from: a French home-goods merchant, its people, places and partners."""

from __future__ import annotations

FIRST_NAMES = (
    "Marie Jean Camille Louis Léa Hugo Chloé Lucas Manon Gabriel Emma Arthur Inès Jules Sarah Adam Lina "
    "Raphaël Zoé Paul Alice Nathan Juliette Théo Louise Tom Clara Maël Anna Noah Jeanne Victor Rose Ethan "
    "Lucie Sacha Margaux Antoine Élise Mathis Pauline Baptiste Agathe Martin Charlotte Simon Océane Nicolas "
    "Julie Thomas Laura Maxime Émilie Romain Céline Benoît Sophie Olivier Isabelle Pierre Nathalie Guillaume"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel "
    "Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet "
    "François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin "
    "Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen "
    "Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Perez Marchand"
).split()
EMAIL_DOMAINS = ("exemple.fr", "courriel.fr", "boite-mail.fr", "maison-mail.com", "poste-exemple.fr")
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "place de la Mairie",
    "rue des Lilas",
    "chemin des Vignes",
    "rue du Moulin",
    "allée des Tilleuls",
    "rue Nationale",
    "quai des Célestins",
)
CITIES = (
    ("75003", "Paris"),
    ("75011", "Paris"),
    ("69002", "Lyon"),
    ("69006", "Lyon"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("44000", "Nantes"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("34000", "Montpellier"),
    ("35000", "Rennes"),
    ("06000", "Nice"),
    ("21000", "Dijon"),
    ("37000", "Tours"),
    ("63000", "Clermont-Ferrand"),
)

# code, French name, English name, VAT rate, HT price range (EUR), weight range (kg)
CATEGORIES = (
    ("CUI", "Cuisine", "Kitchen", 20.0, (6.0, 60.0), (0.2, 2.5)),
    ("LIN", "Linge de maison", "Household linen", 20.0, (9.0, 120.0), (0.2, 2.0)),
    ("DEC", "Décoration", "Decoration", 20.0, (8.0, 90.0), (0.1, 3.0)),
    ("BOU", "Bougies et senteurs", "Candles and scents", 20.0, (5.0, 40.0), (0.1, 1.0)),
    ("VAI", "Vaisselle", "Tableware", 20.0, (4.0, 70.0), (0.2, 3.0)),
    ("SDB", "Salle de bain", "Bathroom", 20.0, (5.0, 55.0), (0.1, 1.5)),
    ("JAR", "Jardin", "Garden", 20.0, (7.0, 95.0), (0.3, 4.0)),
    ("EPI", "Épicerie fine", "Fine food", 5.5, (3.0, 25.0), (0.1, 1.2)),
    ("PAP", "Papeterie", "Stationery", 20.0, (2.0, 30.0), (0.05, 0.8)),
    ("ENF", "Enfant", "Children", 20.0, (6.0, 60.0), (0.1, 1.5)),
)
ITEMS = {
    "CUI": ("Planche à découper", "Tablier", "Maniques", "Cocotte", "Moulin à poivre", "Boîte à épices"),
    "LIN": ("Torchon", "Nappe", "Serviette de table", "Plaid", "Housse de coussin", "Drap de bain"),
    "DEC": ("Vase", "Cadre photo", "Miroir", "Panier tressé", "Lanterne", "Horloge"),
    "BOU": ("Bougie parfumée", "Diffuseur", "Bougie pilier", "Brume d'oreiller", "Sachet parfumé"),
    "VAI": ("Assiette plate", "Bol", "Tasse", "Saladier", "Carafe", "Verre à eau"),
    "SDB": ("Porte-savon", "Gant de toilette", "Panier à linge", "Tapis de bain", "Savon artisanal"),
    "JAR": ("Arrosoir", "Pot en terre cuite", "Coussin d'extérieur", "Guirlande solaire", "Nichoir"),
    "EPI": ("Confiture", "Miel de lavande", "Huile d'olive", "Thé vert", "Sel de Guérande", "Biscuits"),
    "PAP": ("Carnet", "Agenda", "Carte postale", "Stylo plume", "Calendrier", "Papier cadeau"),
    "ENF": ("Doudou", "Veilleuse", "Bavoir", "Puzzle en bois", "Mobile", "Gigoteuse"),
}
STYLES = ("Océan", "Provence", "Atelier", "Bohème", "Nordique", "Lin lavé", "Terracotta", "Minuit", "Sauge")
COLORS = (
    ("BLA", "Blanc", "White"),
    ("BLE", "Bleu", "Blue"),
    ("VER", "Vert sauge", "Sage green"),
    ("TER", "Terracotta", "Terracotta"),
    ("NOI", "Noir", "Black"),
    ("ROS", "Rose poudré", "Dusty pink"),
)
SIZES = (("S", "Petit", "Small"), ("M", "Moyen", "Medium"), ("L", "Grand", "Large"))

# name, country id (Dolibarr llx_c_country: 1 France, 3 Italy, 4 Spain, 5 Germany, 7 UK, 11 USA,
# 25 Portugal), currency, lead time in days
SUPPLIERS = (
    ("Tissages du Nord SARL", 1, "EUR", (4, 8)),
    ("Céramiques de Provence", 1, "EUR", (5, 9)),
    ("Vetreria Toscana SpA", 3, "EUR", (7, 12)),
    ("Textil Portuense Lda", 25, "EUR", (7, 12)),
    ("Hogar Natural SL", 4, "EUR", (6, 11)),
    ("Kerzenhaus GmbH", 5, "EUR", (6, 10)),
    ("Albion Homeware Ltd", 7, "GBP", (10, 18)),
    ("Cotswold Crafts Ltd", 7, "GBP", (10, 18)),
    ("Brooklyn Goods Inc", 11, "USD", (25, 40)),
)
FORWARDERS = (
    ("Transports Rhône Express", "freight"),
    ("Transitaire Douanes & Fret", "customs"),
    ("Assurances Marchandises SA", "insurance"),
)
MARKETPLACE = "Marketplace Europa"
STORES = (
    ("PARIS", "Boutique Paris Marais", "75003", "Paris"),
    ("LYON", "Boutique Lyon Presqu'île", "69002", "Lyon"),
)
PAYMENTS_WEB = (("ps_checkout", "Carte bancaire"), ("ps_wirepayment", "Virement bancaire"))
POS_PAYMENTS = ("CB", "ESPECES", "CB_SANS_CONTACT", "CHEQUE")
