// The columns an export can have, in the order the file gets them, as people read them.
import type { ExportColumn } from "../ipc/generated/ExportColumn";

export const EXPORT_COLUMNS: { id: ExportColumn; label: string; hint?: string }[] = [
  { id: "kith_id", label: "Kith ID", hint: "needed to re-import the file as updates" },
  { id: "first_name", label: "First name" },
  { id: "last_name", label: "Last name" },
  { id: "email", label: "Email" },
  { id: "mobile_phone", label: "Mobile phone" },
  { id: "home_phone", label: "Home phone" },
  { id: "app_user_id", label: "App user ID" },
  { id: "stripe_customer_id", label: "Stripe customer ID" },
  { id: "created_at", label: "Created at" },
  { id: "teams", label: "Teams" },
  { id: "street", label: "Street" },
  { id: "city", label: "City" },
  { id: "region", label: "Region" },
  { id: "postal_code", label: "Postal code" },
  { id: "country", label: "Country" },
];
