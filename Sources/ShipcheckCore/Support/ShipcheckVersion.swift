public enum ShipcheckVersion {
    public static let current = "0.1.0"
}
