using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.PostgreSql.Migrations
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
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalScheme",
                table: "Users",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RolesSetInPortal",
                table: "Memberships",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalScheme_ExternalIssuer_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalScheme", "ExternalIssuer", "ExternalObjectId" },
                unique: true);

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
                unique: true);
        }
    }
}
