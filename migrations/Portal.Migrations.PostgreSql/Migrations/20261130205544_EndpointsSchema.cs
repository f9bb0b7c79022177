using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class EndpointsSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EndpointBaseUrl",
                table: "ModelEntries",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointContextSize",
                table: "ModelEntries",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointMaxOutputTokens",
                table: "ModelEntries",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointParallelRequests",
                table: "ModelEntries",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndpointProtectedApiKey",
                table: "ModelEntries",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndpointRemoteModel",
                table: "ModelEntries",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "ModelEntries",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "GgufFile");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EndpointBaseUrl",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointContextSize",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointMaxOutputTokens",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointParallelRequests",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointProtectedApiKey",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointRemoteModel",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "ModelEntries");
        }
    }
}
