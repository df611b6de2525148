//! Bank electronic receipts (银行电子回单) and statements (银行电子对账单). (Being written.)
