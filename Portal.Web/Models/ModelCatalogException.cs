namespace Portal.Web.Models;

/// <summary>A model the catalog will not register or load, with the reason in words an admin can act on.</summary>
public sealed class ModelCatalogException(string message, Exception? innerException = null) : Exception(message, innerException);
