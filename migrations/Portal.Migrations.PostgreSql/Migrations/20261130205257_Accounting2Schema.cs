using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Accounting2Schema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_Workspac~",
                table: "UsageDailyRollups");

            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "UsageDailyRollups",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "local");

            migrationBuilder.CreateTable(
                name: "HardwareProfiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IsDefault = table.Column<bool>(type: "boolean", nullable: false),
                    HardwarePrice = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    LifetimeYears = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    PowerWatts = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    ElectricityPricePerKwh = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    Utilisation = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HardwareProfiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageSpeedRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "uuid", nullable: false),
                    Measure = table.Column<int>(type: "integer", nullable: false),
                    Bucket = table.Column<int>(type: "integer", nullable: false),
                    Answers = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageSpeedRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageSpeedRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "NodeHardwareProfiles",
                columns: table => new
                {
                    Node = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    HardwareProfileId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NodeHardwareProfiles", x => x.Node);
                    table.ForeignKey(
                        name: "FK_NodeHardwareProfiles_HardwareProfiles_HardwareProfileId",
                        column: x => x.HardwareProfileId,
                        principalTable: "HardwareProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_Workspac~",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey", "Node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_HardwareProfiles_Name",
                table: "HardwareProfiles",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NodeHardwareProfiles_HardwareProfileId",
                table: "NodeHardwareProfiles",
                column: "HardwareProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageSpeedRollups_TenantId_Day_ModelEntryId_Measure_Bucket",
                table: "UsageSpeedRollups",
                columns: new[] { "TenantId", "Day", "ModelEntryId", "Measure", "Bucket" },
                unique: true);

            // Data step (keep when regenerating): the one CostSettings row becomes the default hardware profile
            // before its columns are dropped. See Portal.Data/Migrations/HardwareProfilesDataStep.cs.
            migrationBuilder.Sql(Portal.Data.Migrations.HardwareProfilesDataStep.CopyCostSettingsIntoDefaultProfile(migrationBuilder.ActiveProvider));

            migrationBuilder.DropColumn(
                name: "ElectricityPricePerKwh",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "HardwarePrice",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "LifetimeYears",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "PowerWatts",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "Utilisation",
                table: "CostSettings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NodeHardwareProfiles");

            migrationBuilder.DropTable(
                name: "UsageSpeedRollups");

            migrationBuilder.DropTable(
                name: "HardwareProfiles");

            migrationBuilder.DropIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_Workspac~",
                table: "UsageDailyRollups");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "UsageDailyRollups");

            migrationBuilder.AddColumn<decimal>(
                name: "ElectricityPricePerKwh",
                table: "CostSettings",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "HardwarePrice",
                table: "CostSettings",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "LifetimeYears",
                table: "CostSettings",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "PowerWatts",
                table: "CostSettings",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "Utilisation",
                table: "CostSettings",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_Workspac~",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey" },
                unique: true);
        }
    }
}
