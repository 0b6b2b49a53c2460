Feature: Web portals on the upgraded billing platform
  Source: shared/seeds/003_b05be724a846f199.txt: web portals that integrate with the billing
  platform (the end-customer portal, the admin portal) work as expected after the upgrade.
  Driven in a real browser; pages and locators come from the scenario (packs.billing_upgrade.customer_portal,
  packs.billing_upgrade.admin_portal), so a portal we did not write is checked the same way.

  @UPG-04 @critical @ui
  Scenario: Customers can log in to the web portal
    When the customer logs in to the customer portal
    Then the customer portal shows the signed-in page

  @UPG-07 @critical @ui @mutating
  Scenario: Online payments process
    When the customer pays 5.00 online in the customer portal
    Then the online payment is recorded in billing for the customer's account

  @UPG-08 @critical @ui @mutating
  Scenario: User signup in the portal creates the account and its package in billing
    When a new customer signs up in the customer portal
    Then billing holds the new account with an active subscription to the chosen plan

  @UPG-09 @normal @ui @mutating
  Scenario: Contact information can be added and updated
    When the customer changes the phone number and adds an email in the customer portal
    Then billing holds the new phone number and the added email

  @UPG-10 @critical @ui
  Scenario: Account data in the portal is accurate (account name, bill date, balance)
    When the customer logs in to the customer portal
    Then the account page shows the name, bill date and balance billing holds

  @UPG-13 @blocker @ui
  Scenario: Staff can log in to the admin portal
    When the administrator logs in to the admin portal
    Then the admin portal shows the signed-in page
    And the admin portal opens every page it must after login, each showing what it must
