/// The made-up world a seeded data set lives in: names, products and categories.
enum SeedCatalog {
  static let familyNames = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun"]
  static let givenNames = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Yan", "Jun", "Hua", "Ping", "Xiu"]
  static let companies = ["Huaxin Trading", "Blue River Foods", "Eastwind Logistics", "Jade Hotels", "Summit Clinics"]
  static let timeZones = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Europe/Berlin"]
  static let sourceChannels = ["store", "app", "web", "referral", "event"]
  static let salesChannels = ["store", "app", "web_shop"]
  /// Product categories with a price range in minor units.
  static let productCategories: [(name: String, minPrice: Int64, maxPrice: Int64)] = [
    ("phones", 99_900, 899_900), ("accessories", 1_900, 29_900), ("home", 4_900, 199_900),
    ("beauty", 2_900, 59_900), ("food", 900, 19_900), ("books", 1_900, 12_900),
  ]
  /// 500 products, 1-based ids, spread over the categories.
  static func product(_ number: Int) -> (id: String, category: String) {
    let category = productCategories[number % productCategories.count].name
    return (String(format: "p-%04d", number), category)
  }
  static let productCount = 500
  /// The feedback category tree the seed creates first.
  static let ticketCategories = ["delivery", "delivery/late", "delivery/damaged", "product", "product/quality", "service", "service/attitude", "billing"]
  static let interactionTypes = ["greeting", "care_call", "survey", "event_invite", "co_creation"]
  static let reviewTexts = [
    (5, "Excellent", "Works perfectly, fast delivery."), (4, "Good value", "Does what it says; packaging could be better."),
    (3, "Average", "It is fine, nothing special."), (2, "Disappointed", "Stopped working after a week."),
    (1, "Very bad", "Arrived damaged and support was slow."),
  ]
}
