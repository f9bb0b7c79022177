using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class SecuritySchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users");

            migrationBuilder.AddColumn<string>(
                name: "ExternalIssuer",
                table: "Users",
                type: "nvarchar(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalScheme",
                table: "Users",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RolesSetInPortal",
                table: "Memberships",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalScheme_ExternalIssuer_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalScheme", "ExternalIssuer", "ExternalObjectId" },
                unique: true,
                filter: "[ExternalScheme] IS NOT NULL AND [ExternalIssuer] IS NOT NULL AND [ExternalObjectId] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalTenantId", "ExternalObjectId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalScheme_ExternalIssuer_ExternalObjectId",
                table: "Users");

            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ExternalIssuer",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ExternalScheme",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "RolesSetInPortal",
                table: "Memberships");

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalTenantId", "ExternalObjectId" },
                unique: true,
                filter: "[ExternalTenantId] IS NOT NULL AND [ExternalObjectId] IS NOT NULL");
        }
    }
}
