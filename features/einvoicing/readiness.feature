@each_einvoicing_customer
Feature: E-invoicing readiness
  Source: shared/seeds/002_2dc7857ccd2ed931.txt, the internal process for onboarding the
  E-Invoicing integration: the request in the integration hub (Connect), its approval and
  email, the setup form and its email, the edition's prerequisite, the legal entity at the
  e-invoicing provider (Storecove) and its validation, the API key, the hub's integration
  and the webhooks on both sides; then one real send end to end.
  Runs once for every customer named under packs.einvoicing.customers in the scenario.

  Not checked, because nothing can be verified: the Chili Piper meeting and the sales
  announcement email (outside the hub), the Account Manager's notification (on the
  roadmap, not in place), and the customer's own Enterprise configuration (its list lives
  in the customer-facing article, not in the seed).

  The seed says nothing tells the customer today that the integration is ready to use.
  EINV-13 reports that gap as a manual item: it never passes on its own; the signoff
  shows it NOT RUN with the reason until a person attests that the customer was told.
  A check that always failed would turn every run red over a known gap.

  EINV-12 sends a real test invoice and drains the provider's webhook pull queue, so it is
  tagged mutating: skipped on a production-tier environment unless policy.allow_mutating lists
  it. It is not run while the legal entity awaits validation (the provider sends nothing
  then); EINV-08 reports that.

  Background:
    Given the e-invoicing customer going live

  @EINV-01 @blocker @api
  Scenario: The integration request is approved
    Then the customer's e-invoicing integration request is approved

  @EINV-02 @normal @api
  Scenario: The requester was told by email that the integration is ready to configure
    Then the requester was emailed that the integration is ready to configure, with the article for their edition

  @EINV-03 @blocker @api
  Scenario: The setup form is complete with every legal-entity field the provider needs
    Then the setup form is complete with every legal-entity field the provider needs

  @EINV-04 @normal @api
  Scenario: Support Ops was notified that the setup form was completed
    Then Support Ops was emailed that the setup form was completed

  @EINV-05 @blocker @api
  Scenario: By edition, the Connect API user exists and authenticates (Enterprise) or the feature flag is on (Elite)
    Then the edition's prerequisite is in place: an API user that authenticates for Enterprise, the e-invoicing feature flag for Elite

  @EINV-06 @blocker @api
  Scenario: The provider's legal entity exists and matches the form (name, address, country)
    Then the provider's legal entity exists and matches the setup form in name, address and country

  @EINV-07 @blocker @api
  Scenario: The legal entity carries the Peppol identifier from the form
    Then the legal entity carries the Peppol identifier given in the setup form

  @EINV-08 @blocker @api
  Scenario: The legal entity is validated: receivable through discovery
    Then the legal entity is validated: receivable through discovery

  @EINV-09 @blocker @api
  Scenario: The provider API key authenticates
    Then the provider API key held by the hub authenticates at the provider

  @EINV-10 @critical @api
  Scenario: The hub's integration names that legal entity and key
    Then the hub's integration names the provider's legal entity and an API key

  @EINV-11 @critical @api
  Scenario: Webhooks exist on both sides and point at each other
    Then webhooks exist on both sides and point at each other

  @EINV-12 @blocker @api @mutating
  Scenario: A test invoice is submitted, accepted, its evidence fetched and its webhook delivered
    Given the legal entity is receivable, so invoices are sent
    When a test invoice built from faker data is submitted for the legal entity
    Then the provider accepts it
    And its sending evidence can be fetched
    And its webhook arrives within the deadline

  @EINV-13 @minor @api @manual
  Scenario: The customer is told the integration is ready
    Then a person confirms the customer was told the integration is ready
