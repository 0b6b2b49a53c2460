@each_role
Feature: Staff role permissions after the upgrade
  Source: shared/seeds/003_b05be724a846f199.txt: "Check role permissions of the staff that
  will login after the upgrade - can staff access all the functions they need and do they
  work correctly (work orders, tickets, adding accounts, adding packages)? Upgrades often bring
  new permissions". Runs once per role of the scenario's permission matrix (packs.billing_upgrade.roles).

  @UPG-18 @critical @api
  Scenario: The role holds exactly the permissions the matrix gives it
    Then the role's staff member holds the role in billing
    And the role's permissions in billing are exactly those of the matrix

  @UPG-19 @critical @ui
  Scenario: The role's staff reach their functions in the admin portal, and only those
    When the role's staff member logs in to the admin portal
    Then the menu offers the role's functions and no other
    And each of the role's functions opens and every other is refused
