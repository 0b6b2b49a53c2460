@each_processor
Feature: Payment processing on every configured processor
  Source: shared/seeds/003_b05be724a846f199.txt: "Payment processing (Credit Card, eCheck, etc.)
  is configured and working" and "Check that you can process payments for all payment
  processors configured". Runs once per processor under packs.billing_upgrade.processors, on the candidate,
  with the processor's test instruments (one it approves, one it declines).

  @UPG-03 @blocker @api @mutating
  Scenario: A payment succeeds on the processor and a decline is reported as a decline
    When a payment is made with the processor's approved test instrument
    Then the payment succeeded
    When a payment is made with the processor's declined test instrument
    Then the payment was declined by the processor, not failed
