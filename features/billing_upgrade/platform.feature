Feature: Upgraded billing platform: provisioning, pricing, tickets, reports, extensions, import, event log
  Source: shared/seeds/003_b05be724a846f199.txt, the upgrade verification checklist: what to
  check on the upgraded (candidate) billing platform before production is upgraded.
  "Any process that provisions to an external system is critical for confirmation before
  going live": the provisioning items are blockers.

  @UPG-01 @blocker @api @mutating
  Scenario: Provisioning workflows are in place and fully functional
    When every provisioning workflow is run for the provisioning test account
    Then every provisioning job finished without error

  @UPG-02 @critical @api
  Scenario: Special pricing (discounts, price plans) is in place and working
    Then every plan and price list of production's catalog is on the candidate at the same price
    And every discounted subscription is billed at its discounted price on the candidate

  @UPG-05 @normal @api @mutating
  Scenario: Tickets can be created and edited
    When a ticket is created for the provisioning test account
    And the ticket is edited
    Then the ticket reads back with the edit

  @UPG-06 @normal @api
  Scenario: Customer reports work (usage tracking)
    Then the usage report of every account named in the scenario has rows

  @UPG-11 @critical @api
  Scenario: Custom code, page extensions and actions are in place and fully functional
    Then every extension named in the scenario is installed on the candidate
    And every installed extension answers successfully

  @UPG-12 @critical @api @mutating
  Scenario: Regular data imports without issue
    When the scenario's regular import file is imported
    Then every row of the import is accepted

  @UPG-14 @critical @api
  Scenario: The event log holds no errors since the upgrade
    Then the event log has no error since the upgrade

  @UPG-15 @blocker @api
  Scenario: The system provisioned what it should have to the external systems
    Then every external system holds what the scenario says it must
