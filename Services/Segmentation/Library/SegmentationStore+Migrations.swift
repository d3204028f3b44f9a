import GRDB

extension SegmentationStore {
  /// The migrations after `customers-v1`, in the order they were added; only ever appended.
  static func registerProfileMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("customer-figures-v1") { db in
      try db.alter(table: CustomerRecord.databaseTableName) { t in
        t.add(column: "currency", .text).notNull().defaults(to: "")
        t.add(column: "total_spend_minor", .integer).notNull().defaults(to: 0)
        t.add(column: "total_margin_minor", .integer).notNull().defaults(to: 0)
        t.add(column: "purchase_count", .integer).notNull().defaults(to: 0)
        t.add(column: "first_purchase_at", .datetime)
        t.add(column: "last_purchase_at", .datetime)
        t.add(column: "preferred_categories", .text).notNull().defaults(to: "[]")
        t.add(column: "merged_into", .text).references(CustomerRecord.databaseTableName)
        t.add(column: "merged_at", .datetime)
      }
    }

    // The list filters page by id, so each filter's index ends with id: a filtered page is one
    // index range with no sort. The single-column indexes of customers-v1 are superseded.
    migrator.registerMigration("customer-list-indexes-v1") { db in
      let customer = CustomerRecord.databaseTableName
      try db.drop(index: "customer_on_account_manager")
      try db.create(
        index: "customer_by_account_manager", on: customer, columns: ["account_manager", "id"])
      try db.create(
        index: "customer_by_source_channel", on: customer, columns: ["source_channel", "id"])
      try db.create(index: "customer_by_type", on: customer, columns: ["type", "id"])
      try db.create(
        index: "customer_by_spend", on: customer, columns: ["currency", "total_spend_minor"])
      // Partial: nearly every profile is live (merged_into NULL), and a full index would tempt
      // the planner to walk it for `merged_into IS NULL` instead of the filter's index.
      try db.create(
        index: "customer_by_merged_into", on: customer, columns: ["merged_into"],
        condition: Column("merged_into") != nil)
      try db.drop(index: "customer_tag_by_tag")
      try db.create(
        index: "customer_tag_by_tag_customer", on: CustomerTagRecord.databaseTableName,
        columns: ["tag", "customer_id"])
    }

    migrator.registerMigration("identities-v1") { db in
      try db.create(table: CustomerIdentityRecord.databaseTableName) { t in
        t.column("channel", .integer).notNull()
        t.column("external_id", .text).notNull()
        t.column("customer_id", .text).notNull().indexed()
          .references(CustomerRecord.databaseTableName)
        t.column("linked_at", .datetime).notNull()
        t.primaryKey(["channel", "external_id"])
      }
    }

    migrator.registerMigration("purchases-v1") { db in
      try db.create(table: PurchaseRecord.databaseTableName) { t in
        t.column("order_id", .text).primaryKey()
        t.column("customer_id", .text).notNull().references(CustomerRecord.databaseTableName)
        t.column("currency", .text).notNull()
        t.column("amount_minor", .integer).notNull()
        t.column("margin_minor", .integer).notNull()
        t.column("refunded_minor", .integer).notNull()
        t.column("purchased_at", .datetime).notNull()
        t.column("channel", .text).notNull()
        t.column("recorded_at", .datetime).notNull()
        t.column("request_body", .blob).notNull()
      }
      // Covers the windowed figures (annual spend, last 3 months): a range of one profile's
      // purchases by time, read from the index alone.
      try db.create(
        index: "purchase_by_customer_time", on: PurchaseRecord.databaseTableName,
        columns: ["customer_id", "purchased_at", "amount_minor", "refunded_minor"])
      try db.create(table: PurchaseItemRecord.databaseTableName) { t in
        t.column("order_id", .text).notNull()
          .references(PurchaseRecord.databaseTableName, onDelete: .cascade)
        t.column("line", .integer).notNull()
        t.column("product_id", .text).notNull()
        t.column("category", .text).notNull()
        t.column("quantity", .integer).notNull()
        t.column("amount_minor", .integer).notNull()
        t.primaryKey(["order_id", "line"])
      }
      try db.create(table: RefundRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("order_id", .text).notNull().indexed().references(PurchaseRecord.databaseTableName)
        t.column("amount_minor", .integer).notNull()
        t.column("recorded_at", .datetime).notNull()
        t.column("request_body", .blob).notNull()
      }
      try db.create(table: CategorySpendRecord.databaseTableName) { t in
        t.column("customer_id", .text).notNull()
          .references(CustomerRecord.databaseTableName, onDelete: .cascade)
        t.column("category", .text).notNull()
        t.column("spend_minor", .integer).notNull()
        t.primaryKey(["customer_id", "category"])
      }
    }
  }
}
